// An imported tag's list as chosen in the browser: how many lines it has (what the confirmation
// names); the server reads it (type,value[,tag_value], header optional) and reports the rest.
export function lineCount(text: string): number {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').length;
}
