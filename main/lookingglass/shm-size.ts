/** The size formula is shared with the renderer (it shows the minimum as you type): shared/lg-size.ts. */
export { lookingGlassMiB } from '../../shared/lg-size';
