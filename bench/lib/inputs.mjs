/**
 * The bench's inputs: the fixture photos as they are (progressive), the same
 * photos re-encoded as baseline JPEG q85, a ~100 MP baseline JPEG that must
 * be served, images that must be refused, and the PNG/WebP/AVIF fixtures.
 * Generated files are made with sharp into bench/.work/inputs once and reused.
 *
 * @typedef {'progressive' | 'baseline' | 'huge' | 'format' | 'refused'} Group
 * @typedef {{ id: string, group: Group, file: string, format: string, width: number, height: number,
 *             mustRefuse: boolean, note: string }} Input
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FIXTURES_DIR, INPUTS_DIR } from './paths.mjs';

export const GROUP_TITLES = {
  progressive: 'progressive JPEG photos (fixtures)',
  baseline: 'baseline JPEG q85 re-encodes',
  huge: '~100 MP baseline JPEG (must be served)',
  format: 'PNG / WebP / AVIF fixtures',
  refused: 'must be refused (413)',
};

export const PHOTOS_DIR = path.join(FIXTURES_DIR, 'photos');
const FORMATS_DIR = path.join(FIXTURES_DIR, 'formats');
/** Still images of each non-JPEG input format (file → short id); animated ones are a different problem. */
const FORMAT_FIXTURES = {
  'Flag_of_the_Netherlands-alpha.png': 'flag-alpha.png',
  'with-alpha.png': 'with-alpha.png',
  'trim-mc.png': 'trim-mc.png',
  '16-bit-grey-alpha.png': 'grey16-alpha.png',
  '4.webp': '4.webp',
  '5_webp_a.webp': '5-alpha.webp',
  'sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif': 'cosmos-444.avif',
  'pitm.avif': 'pitm.avif',
};
/** The smoke run's one photo: the smallest fixture (2040×2040). */
const SMOKE_PHOTO = 'janice-gill-0PueFmKKF28-unsplash.jpg';
/** Upscaled from the 6000×4000 photo: 12240×8160 = 99.9 MP, just under the default MAX_INPUT_PIXELS (100 MP). */
const HUGE_SOURCE = 'rachel-hisko-rEM3cK8F1pk-unsplash.jpg';
const HUGE_SIZE = { width: 12240, height: 8160 };
/** 256 MP: a PNG no 128 MB isolate can decode. */
const HUGE_PNG_SIDE = 16000;

const shortId = (file) => path.basename(file).split(/[-_.]/)[0];

/** Writes `file` with `make()` unless a previous run already did (a .tmp rename keeps half files out). */
export async function generated(file, make) {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await make(`${file}.tmp`);
    fs.renameSync(`${file}.tmp`, file);
  }
  return file;
}

async function describe(file, group, { id = shortId(file), mustRefuse = false, note = '' } = {}) {
  const meta = await sharp(file).metadata();
  const format = meta.format === 'heif' ? 'avif' : meta.format;
  return { id, group, file, format, width: meta.width, height: meta.height, mustRefuse, note };
}

const baselineJpeg = (image) => image.jpeg({ quality: 85, progressive: false, chromaSubsampling: '4:2:0' });

export async function baselineCopy(photo) {
  const file = path.join(INPUTS_DIR, 'baseline', path.basename(photo));
  await generated(file, (tmp) => baselineJpeg(sharp(photo)).toFile(tmp));
  return describe(file, 'baseline', { id: `${shortId(photo)}-baseline` });
}

async function hugeJpeg({ progressive }) {
  const name = `${HUGE_SIZE.width}x${HUGE_SIZE.height}-${progressive ? 'progressive' : 'baseline'}.jpg`;
  const file = await generated(path.join(INPUTS_DIR, name), (tmp) =>
    sharp(path.join(PHOTOS_DIR, HUGE_SOURCE), { limitInputPixels: false })
      .resize(HUGE_SIZE.width, HUGE_SIZE.height, { kernel: 'lanczos3' })
      .jpeg({ quality: 85, progressive, chromaSubsampling: '4:2:0' })
      .toFile(tmp),
  );
  return progressive
    ? describe(file, 'refused', { id: '100MP-progressive', mustRefuse: true, note: 'progressive decode buffers every coefficient' })
    : describe(file, 'huge', { id: '100MP-baseline' });
}

async function hugePng() {
  const file = await generated(path.join(INPUTS_DIR, `${HUGE_PNG_SIDE}x${HUGE_PNG_SIDE}.png`), (tmp) =>
    sharp({ create: { width: HUGE_PNG_SIDE, height: HUGE_PNG_SIDE, channels: 3, background: '#6a8caf' } })
      .png({ compressionLevel: 9 })
      .toFile(tmp),
  );
  return describe(file, 'refused', { id: '16k-png', mustRefuse: true, note: '256 MP' });
}

/**
 * Lists the inputs, generating what is missing.
 * @param {{ smoke: boolean }} options  smoke: one photo only
 * @returns {Promise<Input[]>}
 */
export async function prepareInputs({ smoke }) {
  const photos = fs
    .readdirSync(PHOTOS_DIR)
    .filter((name) => name.endsWith('.jpg'))
    .filter((name) => !smoke || name === SMOKE_PHOTO)
    .sort()
    .map((name) => path.join(PHOTOS_DIR, name));
  const progressive = await Promise.all(photos.map((file) => describe(file, 'progressive')));
  if (smoke) return progressive;
  const baseline = [];
  for (const photo of photos) baseline.push(await baselineCopy(photo));
  const formats = await Promise.all(
    Object.entries(FORMAT_FIXTURES).map(([name, id]) => describe(path.join(FORMATS_DIR, name), 'format', { id })),
  );
  return [
    ...progressive,
    ...baseline,
    await hugeJpeg({ progressive: false }),
    ...formats,
    await hugeJpeg({ progressive: true }),
    await hugePng(),
  ];
}

export const megapixels = (input) => (input.width * input.height) / 1e6;
