import { screen } from 'electron';
import type { Monitor } from '../../shared/api';

/** The desktop's monitors from Electron's screen API, in physical pixels (DIPs × scale factor). */
export async function electronMonitors(): Promise<Monitor[]> {
  const primary = screen.getPrimaryDisplay().id;
  return screen.getAllDisplays().map((d) => ({
    name: d.label || `display-${d.id}`,
    width: Math.round(d.size.width * d.scaleFactor),
    height: Math.round(d.size.height * d.scaleFactor),
    x: Math.round(d.bounds.x * d.scaleFactor),
    y: Math.round(d.bounds.y * d.scaleFactor),
    primary: d.id === primary,
  }));
}
