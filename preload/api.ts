/**
 * THE contract between the main process and the renderer: every request with
 * its argument and result type, and every event main pushes. Types only: the
 * argument schemas live in main/api/schemas.ts, the named methods the renderer
 * calls are built in preload/make-api.ts.
 */

/** An error the UI can explain: what happened and what to do next. */
export interface ErrorInfo {
  /** Stable machine-readable kind, e.g. `connect`, `invalid-argument`. */
  kind: string;
  /** One sentence saying what went wrong. */
  message: string;
  /** What the user can do about it. */
  hint: string;
  /** The verbatim tool output (virsh's `error: …` lines), for the troubleshooter. */
  detail?: string;
}

/** Every request answers with a value or an explainable error, never a thrown stack. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** libvirt's domain states (virsh dominfo/list words, kebab-cased). */
export type DomainState =
  | 'running'
  | 'idle'
  | 'paused'
  | 'in-shutdown'
  | 'shut-off'
  | 'crashed'
  | 'pmsuspended'
  | 'no-state';

export interface DomainSummary {
  name: string;
  uuid: string;
  state: DomainState;
  /** Running domains have an id; inactive ones have none. */
  id: number | null;
  persistent: boolean;
  autostart: boolean;
}

/** The live domain list, pushed whenever libvirt reports a change. */
export interface DomainsSnapshot {
  domains: DomainSummary[];
  /** Set while libvirt cannot be reached; the list is then the last one seen. */
  error: ErrorInfo | null;
}

export interface AppInfo {
  version: string;
  libvirtUri: string;
  /** `electron` for the desktop window, `serve` for `vitrine serve` in a browser. */
  mode: 'electron' | 'serve';
}

/** Every request: channel name -> argument and result. */
export interface Requests {
  'app.info': { args: void; result: AppInfo };
  'domains.list': { args: void; result: DomainSummary[] };
}

/** Every event main pushes: name -> payload. */
export interface Events {
  'domains.changed': DomainsSnapshot;
}

export type Channel = keyof Requests;
export type EventName = keyof Events;
export type ArgsOf<C extends Channel> = Requests[C]['args'];
export type ResultOf<C extends Channel> = Requests[C]['result'];

/** What the renderer sees as `window.vitrine`: named methods only. */
export interface VitrineApi {
  app: {
    info(): Promise<Result<AppInfo>>;
  };
  domains: {
    list(): Promise<Result<DomainSummary[]>>;
    /** Calls `listener` with the current list at once, then on every change. Returns an unsubscribe. */
    onChanged(listener: (snapshot: DomainsSnapshot) => void): () => void;
  };
}

/** How requests and events travel: Electron IPC in the preload, a WebSocket in a browser. */
export interface Transport {
  request<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
