/** The JSON an image is described by, in API replies and for `/img/format=json/<key>`. */
import type { Config } from '../../config';
import { contentTypeOf } from '../../metadata/describe';
import type { DescribedOriginal } from '../../delivery/describe';
import { signUrl } from '../../../sdk/sign.js';
import { isPublicKey } from '../../security/require-signature';
import { encodeKeyPath } from '../../lib/keys';

type UrlConfig = Pick<Config, 'presets' | 'allowUnsigned' | 'publicPrefixes' | 'signingKeys' | 'signedUrlTtl'>;

/**
 * One ready URL per configured preset: `/img/<preset>/<key>`, signed with the
 * first key and expiring after SIGNED_URL_TTL when the worker requires
 * signatures for this key.
 */
async function presetUrls(origin: string, key: string, config: UrlConfig): Promise<Record<string, string>> {
  const path = encodeKeyPath(key);
  const signer = config.allowUnsigned || isPublicKey(key, config.publicPrefixes) ? undefined : config.signingKeys[0];
  const entries = [...config.presets.keys()].map(async (name) => {
    const url = `${origin}/img/${name}/${path}`;
    return [name, signer ? await signUrl(url, { key: signer.secret, kid: signer.kid, expiresIn: config.signedUrlTtl }) : url];
  });
  return Object.fromEntries(await Promise.all(entries));
}

export async function imageResource(image: DescribedOriginal, origin: string, config: Config) {
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
    urls: await presetUrls(origin, image.key, config),
  };
}
