/** The JSON an image is described by, in API replies and for `/img/format=json/<key>`. */
import type { Config } from '../../config';
import { contentTypeOf } from '../../metadata/describe';
import type { StoredImage } from '../../metadata/lookup';
import { encodeKeyPath } from '../../storage/keys';

/** One ready URL per configured preset: `/img/<preset>/<key>`. */
export function presetUrls(origin: string, key: string, config: Pick<Config, 'presets'>): Record<string, string> {
  const path = encodeKeyPath(key);
  return Object.fromEntries([...config.presets.keys()].map((name) => [name, `${origin}/img/${name}/${path}`]));
}

export function imageResource(image: StoredImage, origin: string, config: Config) {
  const { facts } = image;
  return {
    key: image.key,
    sha256: facts.sha256,
    bytes: facts.bytes,
    width: facts.width,
    height: facts.height,
    format: facts.format,
    contentType: contentTypeOf(facts),
    hasAlpha: facts.hasAlpha,
    orientation: facts.orientation,
    hasIccProfile: facts.hasIccProfile,
    uploaded: image.uploaded.toISOString(),
    etag: image.etag,
    placeholder: facts.placeholder,
    // Coordinates say where someone lives or was; they are shown only when EXPOSE_GPS asks for it.
    exif: config.exposeGps ? facts.exif : { ...facts.exif, gps: undefined },
    urls: presetUrls(origin, image.key, config),
  };
}

export type ImageResource = ReturnType<typeof imageResource>;
