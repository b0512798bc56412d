/** The size formula is shared with the renderer (it shows the minimum as you type): preload/lg-size.ts. */
export { lookingGlassMiB } from '../../preload/lg-size';
