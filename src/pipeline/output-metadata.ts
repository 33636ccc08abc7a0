/**
 * What metadata an output carries (Cloudflare's metadata option):
 * `copyright` (the default) the Copyright tag alone, in an EXIF block of its
 * own; `keep` the original's EXIF block — GPS included — with Orientation
 * set to 1, since the pixels are upright now, and the original's ICC
 * profile, since its colours are then kept as they are (no conversion to
 * sRGB: see run.ts); `none` nothing. codecs/embed-metadata.ts writes them
 * into JPEG, PNG and WebP files; AVIF and GIF outputs carry none.
 */
import { embedMetadata, type Embedded } from '../codecs/embed-metadata';
import { isTiff } from '../codecs/probe/exif';
import type { ImageHeader, Size } from '../codecs/types';
import type { OutputFormat, TransformSpec } from '../spec/transform-spec';
import { profileBytes } from './colour-profile';

const COPYRIGHT = 0x8298;
const ORIENTATION = 0x0112;
const ASCII = 2;

interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Where the entry starts in the block. */
  at: number;
}

function ifd0Entries(tiff: Uint8Array): { view: DataView; little: boolean; entries: IfdEntry[] } {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const little = tiff[0] === 0x49;
  const offset = view.getUint32(4, little);
  const entries: IfdEntry[] = [];
  if (offset + 2 > tiff.length) return { view, little, entries };
  for (let i = 0; i < view.getUint16(offset, little); i++) {
    const at = offset + 2 + 12 * i;
    if (at + 12 > tiff.length) break;
    entries.push({ tag: view.getUint16(at, little), type: view.getUint16(at + 2, little), count: view.getUint32(at + 4, little), at });
  }
  return { view, little, entries };
}

/** A big-endian block with IFD0 holding one ASCII tag. */
function asciiBlock(tag: number, text: Uint8Array): Uint8Array {
  const inline = text.length <= 4;
  const block = new Uint8Array(26 + (inline ? 0 : text.length));
  const view = new DataView(block.buffer);
  block.set([0x4d, 0x4d, 0, 42]);
  view.setUint32(4, 8);
  view.setUint16(8, 1);
  view.setUint16(10, tag);
  view.setUint16(12, ASCII);
  view.setUint32(14, text.length);
  if (inline) block.set(text, 18);
  else {
    view.setUint32(18, 26);
    block.set(text, 26);
  }
  return block; // the next-IFD offset at 22 stays 0
}

/** The TIFF block a JPEG output carries for `metadata`, or undefined for none. */
function outputExif(original: Uint8Array | undefined, metadata: TransformSpec['metadata']): Uint8Array | undefined {
  if (!original || metadata === 'none' || !isTiff(original)) return undefined;
  try {
    const { view, little, entries } = ifd0Entries(original);
    if (metadata === 'keep') {
      const kept = original.slice();
      const orientation = entries.find((entry) => entry.tag === ORIENTATION);
      if (orientation) new DataView(kept.buffer).setUint16(orientation.at + 8, 1, little);
      return kept;
    }
    const copyright = entries.find((entry) => entry.tag === COPYRIGHT && entry.type === ASCII);
    if (!copyright) return undefined;
    const at = copyright.count <= 4 ? copyright.at + 8 : view.getUint32(copyright.at + 8, little);
    if (at + copyright.count > original.length) return undefined;
    return asciiBlock(COPYRIGHT, original.subarray(at, at + copyright.count));
  } catch {
    return undefined; // a block that lies about its offsets carries nothing over
  }
}

/** An encoder's file with the metadata `spec.metadata` calls for. */
export function withOutputMetadata(bytes: Uint8Array, format: OutputFormat, header: ImageHeader, spec: Pick<TransformSpec, 'metadata'>, size: Size): Uint8Array {
  const exif = outputExif(header.exif, spec.metadata);
  const icc = spec.metadata === 'keep' ? profileBytes(header.iccProfile) : undefined;
  const embedded: Embedded = { ...(exif && { exif }), ...(icc && { icc }) };
  return embedMetadata(bytes, format, embedded, size);
}
