export { SeededStream, systemRandom, decodeSeed, type ByteSource } from './stream.ts';
