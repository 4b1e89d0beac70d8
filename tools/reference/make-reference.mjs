// Runs the original TF.js COCO-SSD graph model (pure JS CPU backend, no native code) on one
// 300x300 RGB frame and writes the parity fixture the ONNX model is tested against.
//
// usage: node make-reference.mjs <model dir with model.json> <photo> <fixture dir>
//
// The photo is scaled to 300x300 RGB24 by ffmpeg first, so the model's own resize is the
// identity and the fixture does not depend on any resizer of ours. Writes, gzipped:
//   astronaut_300x300.rgb.gz  the raw input frame (uint8 HWC RGB)
//   astronaut_scores.f32.gz   Postprocessor/Slice       [1,1917,90]   little-endian float32
//   astronaut_boxes.f32.gz    Postprocessor/ExpandDims_1 [1,1917,1,4] little-endian float32
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, basename, extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';

const SIZE = 300;
const [modelDir, photo, outDir] = process.argv.slice(2);
if (!modelDir || !photo || !outDir) {
  console.error('usage: node make-reference.mjs <model dir> <photo> <fixture dir>');
  process.exit(2);
}

const stem = basename(photo, extname(photo));
const rgb = execFileSync('ffmpeg', [
  '-v', 'error', '-i', photo, '-vf', `scale=${SIZE}:${SIZE}`, '-frames:v', '1',
  '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
], { maxBuffer: 16 * 1024 * 1024 });
if (rgb.length !== SIZE * SIZE * 3) {
  throw new Error(`ffmpeg produced ${rgb.length} bytes, expected ${SIZE * SIZE * 3}`);
}

const model = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
const weightSpecs = [];
const shards = [];
for (const group of model.weightsManifest) {
  weightSpecs.push(...group.weights);
  for (const path of group.paths) shards.push(readFileSync(join(modelDir, path)));
}
const weights = Buffer.concat(shards);
const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);

await tf.setBackend('cpu');
const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs, weightData }));

const started = Date.now();
const input = tf.tensor4d(Int32Array.from(rgb), [1, SIZE, SIZE, 3], 'int32');
const [scores, boxes] = await graph.executeAsync(input, ['Postprocessor/Slice', 'Postprocessor/ExpandDims_1']);
console.log(`executeAsync took ${Date.now() - started} ms; scores ${scores.shape}, boxes ${boxes.shape}`);

const asBytes = (t) => {
  const data = t.dataSync();
  if (!(data instanceof Float32Array)) throw new Error('expected float32 output');
  // Float32Array is little-endian on every platform Node runs on here (x64, arm64).
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
};

mkdirSync(outDir, { recursive: true });
const write = (name, bytes) => {
  writeFileSync(join(outDir, name), gzipSync(bytes, { level: 9 }));
  console.log(`wrote ${join(outDir, name)}`);
};
write(`${stem}_300x300.rgb.gz`, rgb);
write(`${stem}_scores.f32.gz`, asBytes(scores));
write(`${stem}_boxes.f32.gz`, asBytes(boxes));

// Top detections, as a human sanity check of the fixture (COCO id = column + 1).
const s = scores.dataSync();
const best = [];
for (let a = 0; a < 1917; a++) for (let c = 0; c < 90; c++) if (s[a * 90 + c] > 0.5) best.push([s[a * 90 + c], c + 1, a]);
best.sort((x, y) => y[0] - x[0]);
console.log('top (score, cocoId, anchor):', JSON.stringify(best.slice(0, 5)));
