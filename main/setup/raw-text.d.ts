/** A text file imported whole (`import text from './file.sh?raw'`): the bundler inlines its bytes. */
declare module '*.sh?raw' {
  const text: string;
  export default text;
}
