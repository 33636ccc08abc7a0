/**
 * {@link ImageFacts} to and from R2 custom metadata (string → string, at most
 * 2 KiB per object, so EXIF text is already cut short).
 */
import { INPUT_FORMATS, type InputFormat } from '../lib/formats';
import type { ImageFacts } from './describe';

export function toCustomMetadata(facts: ImageFacts): Record<string, string> {
  const { exif, placeholder } = facts;
  const entries: [string, string | number | boolean | undefined][] = [
    ['sha256', facts.sha256],
    ['width', facts.width],
    ['height', facts.height],
    ['format', facts.format],
    ['hasAlpha', facts.hasAlpha],
    ['orientation', facts.orientation],
    ['hasIccProfile', facts.hasIccProfile],
    ['thumbhash', placeholder.thumbhash],
    ['dominantColor', placeholder.dominantColor],
    ['cameraMake', exif.camera?.make],
    ['cameraModel', exif.camera?.model],
    ['takenAt', exif.takenAt],
    ['gpsLatitude', exif.gps?.latitude],
    ['gpsLongitude', exif.gps?.longitude],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined).map(([k, value]) => [k, String(value)]));
}

/** Undefined for objects stored without the API (e.g. `wrangler r2 object put`): their facts must be computed. */
export function fromCustomMetadata(meta: Record<string, string> | undefined, bytes: number): ImageFacts | undefined {
  if (!meta?.sha256 || !meta.thumbhash || !INPUT_FORMATS.includes(meta.format as InputFormat)) return undefined;
  const camera = meta.cameraMake || meta.cameraModel ? { make: meta.cameraMake, model: meta.cameraModel } : undefined;
  const gps = meta.gpsLatitude && meta.gpsLongitude
    ? { latitude: Number(meta.gpsLatitude), longitude: Number(meta.gpsLongitude) }
    : undefined;
  return {
    sha256: meta.sha256,
    bytes,
    width: Number(meta.width),
    height: Number(meta.height),
    format: meta.format as InputFormat,
    hasAlpha: meta.hasAlpha === 'true',
    orientation: Number(meta.orientation),
    hasIccProfile: meta.hasIccProfile === 'true',
    placeholder: { thumbhash: meta.thumbhash, dominantColor: meta.dominantColor },
    exif: { camera, takenAt: meta.takenAt, gps },
  };
}
