/** A JSON file imported as its text (`import text from './file.json?raw'`), parsed when first needed. */
declare module '*.json?raw' {
  const text: string;
  export default text;
}
