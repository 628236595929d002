// Generates the example's audio files: short tones, 8 kHz mono 16-bit PCM WAV.
//
//   node examples/generate-audio.mjs [output directory]   (default: examples/audio)
//
// Pure Node, no downloads. The output is deterministic, so re-running it leaves the files (and so
// their md5 fingerprints, the `?v=` part of their URLs) unchanged. Change a note and every URL of
// that file changes with it, which is what makes Twilio fetch the new recording.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SAMPLE_RATE = 8000; // Twilio plays phone audio at 8 kHz; more would only make files bigger.
const VOLUME = 0.3; // of full scale: loud enough to hear, far from clipping.
const audioDir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "audio"));

/**
 * One note as 16-bit samples, with a short fade in and out so it starts and stops without a click.
 * @param {number} frequency - in Hz; 0 is silence.
 * @param {number} seconds
 */
function note(frequency, seconds) {
  const count = Math.round(seconds * SAMPLE_RATE);
  const fade = Math.min(Math.round(0.01 * SAMPLE_RATE), Math.floor(count / 2));
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const envelope = Math.min(1, i / fade, (count - 1 - i) / fade);
    const value = Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE) * envelope * VOLUME;
    samples[i] = Math.round(value * 32767);
  }
  return samples;
}

/** A WAV file (RIFF header + PCM data) holding the given notes one after another. */
function wav(notes) {
  const parts = notes.map(([frequency, seconds]) => note(frequency, seconds));
  const sampleCount = parts.reduce((sum, part) => sum + part.length, 0);
  const dataSize = sampleCount * 2;
  const file = Buffer.alloc(44 + dataSize);
  file.write("RIFF", 0, "ascii");
  file.writeUInt32LE(36 + dataSize, 4); // size of everything after this field
  file.write("WAVE", 8, "ascii");
  file.write("fmt ", 12, "ascii");
  file.writeUInt32LE(16, 16); // size of the fmt chunk
  file.writeUInt16LE(1, 20); // format: PCM
  file.writeUInt16LE(1, 22); // channels: mono
  file.writeUInt32LE(SAMPLE_RATE, 24);
  file.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  file.writeUInt16LE(2, 32); // bytes per sample frame
  file.writeUInt16LE(16, 34); // bits per sample
  file.write("data", 36, "ascii");
  file.writeUInt32LE(dataSize, 40);
  let offset = 44;
  for (const part of parts) {
    for (const sample of part) {
      file.writeInt16LE(sample, offset);
      offset += 2;
    }
  }
  return file;
}

const files = {
  // A rising two-note chime before the welcome message.
  "welcome.wav": wav([
    [660, 0.18],
    [880, 0.3],
  ]),
  // The same chime, falling, before hanging up.
  "goodbye.wav": wav([
    [880, 0.18],
    [660, 0.3],
  ]),
  // A slow little tune; the hold-music endpoint loops it.
  "hold.wav": wav([
    [523, 0.4],
    [659, 0.4],
    [784, 0.4],
    [659, 0.4],
    [0, 0.2],
    [587, 0.4],
    [698, 0.4],
    [880, 0.4],
    [698, 0.4],
    [0, 0.4],
  ]),
};

fs.mkdirSync(audioDir, { recursive: true });
for (const [name, contents] of Object.entries(files)) {
  fs.writeFileSync(path.join(audioDir, name), contents);
  console.log(`wrote ${path.join(audioDir, name)} (${contents.length} bytes)`);
}
