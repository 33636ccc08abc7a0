/**
 * Walks AVIF's ISOBMFF boxes (meta → pitm, iprp → ipco/ipma) for the primary
 * item's size (ispe), its rotation and mirror (irot/imir, mapped to the EXIF
 * orientation they amount to) and whether an alpha auxiliary image exists;
 * from the colour items' AV1 configurations (av1C), the bit depth and chroma
 * subsampling, which decide what the decoded frame costs; and whether the
 * primary item is a grid of tiles (decoded into a whole picture).
 */
import { fourCC, type HeaderFields, view } from './header-fields';

interface Box {
  type: string;
  body: Uint8Array;
}

function* boxes(bytes: Uint8Array): Generator<Box> {
  const dv = view(bytes);
  let at = 0;
  while (at + 8 <= bytes.length) {
    let size = dv.getUint32(at);
    let header = 8;
    if (size === 1 && at + 16 <= bytes.length) {
      size = Number(dv.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = bytes.length - at;
    }
    if (size < header) return;
    yield { type: fourCC(bytes, at + 4), body: bytes.subarray(at + header, Math.min(at + size, bytes.length)) };
    at += size;
  }
}

const child = (bytes: Uint8Array, type: string) => {
  for (const box of boxes(bytes)) if (box.type === type) return box.body;
  return undefined;
};

const ALPHA_URNS = ['urn:mpeg:mpegB:cicp:systems:auxiliary:alpha', 'urn:mpeg:hevc:2015:auxid:1'];

/** EXIF orientation for "rotate `quarterTurns` anticlockwise, then mirror" (HEIF order). */
const ORIENTATION_BY_TRANSFORM: Record<string, number> = {
  '0,none': 1, '1,none': 8, '2,none': 3, '3,none': 6,
  '0,h': 2, '1,h': 7, '2,h': 4, '3,h': 5,
  '0,v': 4, '1,v': 5, '2,v': 2, '3,v': 7,
};

function primaryId(meta: Uint8Array): number | undefined {
  const pitm = child(meta, 'pitm');
  if (!pitm || pitm.length < 6) return undefined;
  return pitm[0] === 0 ? view(pitm).getUint16(4) : view(pitm).getUint32(4);
}

/** The primary item's type from its infe (version 2 or 3): `av01`, or `grid` for tiles composed into one picture. */
function primaryType(meta: Uint8Array): string | undefined {
  const primary = primaryId(meta);
  const iinf = child(meta, 'iinf');
  if (primary === undefined || !iinf) return undefined;
  for (const infe of boxes(iinf.subarray(iinf[0] === 0 ? 6 : 8))) {
    if (infe.type !== 'infe' || infe.body[0]! < 2) continue;
    const wideId = infe.body[0]! >= 3;
    if (infe.body.length < (wideId ? 14 : 12)) continue;
    const id = wideId ? view(infe.body).getUint32(4) : view(infe.body).getUint16(4);
    if (id === primary) return fourCC(infe.body, wideId ? 10 : 8);
  }
  return undefined;
}

function primaryProperties(meta: Uint8Array): Box[] | undefined {
  const iprp = child(meta, 'iprp');
  const ipco = iprp && child(iprp, 'ipco');
  const ipma = iprp && child(iprp, 'ipma');
  const primary = primaryId(meta);
  if (primary === undefined || !ipco || !ipma) return undefined;
  const properties = [...boxes(ipco)];
  const dv = view(ipma);
  const version = ipma[0]!;
  const wideIndex = (ipma[3]! & 1) === 1;
  let at = 8;
  for (let entry = dv.getUint32(4); entry > 0 && at < ipma.length; entry--) {
    const item = version < 1 ? dv.getUint16(at) : dv.getUint32(at);
    at += version < 1 ? 2 : 4;
    const count = ipma[at++]!;
    const indices: number[] = [];
    for (let i = 0; i < count; i++, at += wideIndex ? 2 : 1) {
      indices.push(wideIndex ? dv.getUint16(at) & 0x7fff : ipma[at]! & 0x7f);
    }
    if (item === primary) return indices.flatMap((i) => properties[i - 1] ?? []);
  }
  return undefined;
}

/** Chroma subsampling by av1C's flags (x, y). */
const CHROMA: Record<string, HeaderFields['chroma']> = { '0,0': '444', '1,0': '422', '1,1': '420' };
const MORE_CHROMA = [undefined, '420', '422', '444'];

/**
 * The largest depth and the most chroma among colour (non-monochrome)
 * AV1 configurations: tiles of a grid share one, and alpha is monochrome.
 */
function av1Config(ipco: Uint8Array): Pick<HeaderFields, 'bitDepth' | 'chroma'> {
  let bitDepth: number | undefined;
  let chroma: HeaderFields['chroma'];
  for (const box of boxes(ipco)) {
    if (box.type !== 'av1C' || box.body.length < 3) continue;
    const flags = box.body[2]!;
    bitDepth = Math.max(bitDepth ?? 0, flags & 0x40 ? (flags & 0x20 ? 12 : 10) : 8);
    const sampling = flags & 0x10 ? undefined : CHROMA[`${(flags >> 3) & 1},${(flags >> 2) & 1}`];
    if (MORE_CHROMA.indexOf(sampling) > MORE_CHROMA.indexOf(chroma)) chroma = sampling;
  }
  return { ...(bitDepth && { bitDepth }), ...(chroma && { chroma }) };
}

export function probeAvif(bytes: Uint8Array): HeaderFields {
  const fields: HeaderFields = { orientation: 1, progressive: false };
  const meta = child(bytes, 'meta')?.subarray(4); // full box: skip version and flags
  if (!meta) return fields;
  const ipco = child(child(meta, 'iprp') ?? new Uint8Array(), 'ipco');
  if (ipco) {
    const text = new TextDecoder().decode(ipco);
    fields.hasAlpha = ALPHA_URNS.some((urn) => text.includes(urn));
    Object.assign(fields, av1Config(ipco));
  }
  let quarterTurns = 0;
  let mirror = 'none';
  for (const property of primaryProperties(meta) ?? []) {
    if (property.type === 'ispe' && property.body.length >= 12) {
      fields.width = view(property.body).getUint32(4);
      fields.height = view(property.body).getUint32(8);
    } else if (property.type === 'irot') {
      quarterTurns = property.body[0]! & 3;
    } else if (property.type === 'colr') {
      // 'prof' (restricted) and 'rICC' (unrestricted) carry an ICC profile; 'nclx' only code points.
      const colourType = fourCC(property.body, 0);
      if (colourType === 'prof' || colourType === 'rICC') {
        fields.hasIccProfile = true;
        fields.iccProfile = { bytes: property.body.subarray(4), deflated: false };
      }
    } else if (property.type === 'imir') {
      mirror = (property.body[0]! & 1) === 0 ? 'h' : 'v';
    }
  }
  fields.orientation = ORIENTATION_BY_TRANSFORM[`${quarterTurns},${mirror}`] ?? 1;
  if (primaryType(meta) === 'grid') fields.grid = true;
  return fields;
}
