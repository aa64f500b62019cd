// @ts-check
/** `portalis:threading/types`: types only, no functions. */
export function createTypes() {
  return {};
}
