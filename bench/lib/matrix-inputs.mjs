/**
 * Inputs of the matrix section (issue 9): every 9–24 MP fixture photo in
 * every input format a site may hold, plus one ~11000×2000 panorama. Made
 * once with sharp into bench/.work/inputs/matrix/ and reused (delete the
 * folder to remake them).
 *
 *   progressive  the fixture photo as it is (progressive JPEG 4:2:0)
 *   baseline     baseline JPEG q85 4:2:0 (the same file as the issue-5 baseline group)
 *   webp         lossy WebP q80 (sharp's default effort 4)
 *   png8         8-bit RGB PNG (sharp's defaults: zlib level 6, adaptive filtering)
 *   png16        16-bit RGB PNG (`toColourspace('rgb16')`; checked to be 16-bit)
 *   avif420      AVIF q60, 4:2:0, 8-bit, sharp effort 4 (its default)
 *   avif444      AVIF q60, 4:4:4, 8-bit, sharp effort 4
 *   panorama     WebP q80, an 11158×2156 strip: the 6000×4000 photo upscaled to 11158 px wide (Lanczos3), cut at mid-height
 *
 * @typedef {'progressive' | 'baseline' | 'webp' | 'png8' | 'png16' | 'avif420' | 'avif444' | 'panorama'} MatrixKind
 * @typedef {{ id: string, kind: MatrixKind, photo: string, file: string, format: string,
 *             width: number, height: number, bytes: number, depth: string, chroma: string | null }} MatrixInput
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { baselineCopy, generated, PHOTOS_DIR } from './inputs.mjs';
import { INPUTS_DIR } from './paths.mjs';

/** Row order of the matrix table, with the titles it prints. */
export const MATRIX_KINDS = {
  progressive: 'progressive JPEG',
  baseline: 'baseline JPEG q85',
  webp: 'WebP q80',
  png8: 'PNG 8-bit',
  png16: 'PNG 16-bit',
  avif420: 'AVIF 4:2:0',
  avif444: 'AVIF 4:4:4',
  panorama: 'panorama WebP',
};

/** The fixture photos of 9–24 MP. */
const PHOTOS = ['fatih-kgqu_qs3B78-unsplash.jpg', 'jon-tyson-FKkK1hnTe-Q-unsplash.jpg', 'rachel-hisko-rEM3cK8F1pk-unsplash.jpg'];
/** The smoke run's one input: the 12 MP photo as it is. */
const SMOKE_PHOTO = 'jon-tyson-FKkK1hnTe-Q-unsplash.jpg';
const PANORAMA_SOURCE = 'rachel-hisko-rEM3cK8F1pk-unsplash.jpg';
const PANORAMA = { width: 11158, height: 2156 };

/** sharp's AVIF effort (0–9) for the inputs; only their making depends on it, not what a decoder does. */
const INPUT_AVIF_EFFORT = 4;

const MATRIX_DIR = path.join(INPUTS_DIR, 'matrix');
const shortId = (file) => path.basename(file).split(/[-_.]/)[0];

/** kind → [file extension, sharp pipeline that makes it from the photo] */
const MAKERS = {
  webp: ['webp', (image) => image.webp({ quality: 80 })],
  png8: ['png', (image) => image.png()],
  png16: ['png', (image) => image.toColourspace('rgb16').png()],
  avif420: ['avif', (image) => image.avif({ quality: 60, chromaSubsampling: '4:2:0', bitdepth: 8, effort: INPUT_AVIF_EFFORT })],
  avif444: ['avif', (image) => image.avif({ quality: 60, chromaSubsampling: '4:4:4', bitdepth: 8, effort: INPUT_AVIF_EFFORT })],
};

/** PNG bit depth and colour type from IHDR (bytes 24 and 25), as the file says, not as a decoder converts it. */
function pngHeader(file) {
  const bytes = fs.readFileSync(file).subarray(0, 26);
  return { bitDepth: bytes[24], colourType: bytes[25] };
}

/** Chroma subsampling from the AVIF's av1C box: `4:2:0`, `4:2:2` or `4:4:4`, and the bit depth. */
function avifChroma(file) {
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf('av1C');
  if (at < 0) return null;
  const flags = bytes[at + 6]; // marker|version, profile|level, then tier, high_bitdepth, twelve_bit, monochrome, ss_x, ss_y, position(2)
  const [x, y] = [(flags >> 3) & 1, (flags >> 2) & 1];
  return { chroma: x && y ? '4:2:0' : x ? '4:2:2' : '4:4:4', bitDepth: flags & 0x40 ? (flags & 0x20 ? 12 : 10) : 8 };
}

async function describe(file, kind, photo) {
  const meta = await sharp(file, { limitInputPixels: false }).metadata();
  if (meta.orientation && meta.orientation !== 1) throw new Error(`${file}: EXIF orientation ${meta.orientation}; the matrix assumes none`);
  const input = {
    id: `${shortId(photo)}-${kind}`,
    kind,
    photo: path.basename(photo),
    file,
    format: meta.format === 'heif' ? 'avif' : meta.format,
    width: meta.width,
    height: meta.height,
    bytes: fs.statSync(file).size,
    depth: meta.depth,
    chroma: meta.chromaSubsampling ?? null,
  };
  if (input.format === 'png') {
    const { bitDepth, colourType } = pngHeader(file);
    const want = kind === 'png16' ? 16 : 8;
    if (bitDepth !== want || colourType !== 2) throw new Error(`${file}: IHDR says ${bitDepth}-bit colour type ${colourType}, expected ${want}-bit RGB (2)`);
    input.depth = `${bitDepth}-bit`;
  }
  if (input.format === 'avif') {
    const av1 = avifChroma(file);
    const want = kind === 'avif444' ? '4:4:4' : '4:2:0';
    if (av1?.chroma !== want) throw new Error(`${file}: av1C says ${av1?.chroma ?? 'nothing'}, expected ${want}`);
    input.chroma = av1.chroma;
    input.depth = `${av1.bitDepth}-bit`;
  }
  return input;
}

async function panorama() {
  const photo = path.join(PHOTOS_DIR, PANORAMA_SOURCE);
  const file = await generated(path.join(MATRIX_DIR, `panorama-${PANORAMA.width}x${PANORAMA.height}.webp`), async (tmp) => {
    const { width, height } = await sharp(photo).metadata();
    const upscaled = Math.round((height * PANORAMA.width) / width);
    await sharp(photo)
      .resize({ width: PANORAMA.width, kernel: 'lanczos3' })
      .extract({ left: 0, top: Math.floor((upscaled - PANORAMA.height) / 2), width: PANORAMA.width, height: PANORAMA.height })
      .webp({ quality: 80 })
      .toFile(tmp);
  });
  return describe(file, 'panorama', photo);
}

/**
 * Lists the matrix inputs, generating what is missing (the first run takes a
 * few minutes, mostly the AVIF encodes).
 * @param {{ smoke: boolean, log?: (line: string) => void }} options
 * @returns {Promise<MatrixInput[]>}
 */
export async function prepareMatrixInputs({ smoke, log = () => {} }) {
  if (smoke) return [await describe(path.join(PHOTOS_DIR, SMOKE_PHOTO), 'progressive', SMOKE_PHOTO)];
  const inputs = [];
  for (const name of PHOTOS) {
    const photo = path.join(PHOTOS_DIR, name);
    inputs.push(await describe(photo, 'progressive', photo));
    inputs.push(await describe((await baselineCopy(photo)).file, 'baseline', photo));
    for (const [kind, [extension, make]] of Object.entries(MAKERS)) {
      const file = path.join(MATRIX_DIR, `${path.basename(photo, '.jpg')}-${kind}.${extension}`);
      if (!fs.existsSync(file)) log(`  making ${path.basename(file)}…`);
      await generated(file, (tmp) => make(sharp(photo)).toFile(tmp));
      inputs.push(await describe(file, kind, photo));
    }
  }
  inputs.push(await panorama());
  const order = Object.keys(MATRIX_KINDS);
  return inputs.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}
