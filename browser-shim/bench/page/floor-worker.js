// @ts-check
// Answers at once (see floor.js).
self.postMessage(0);
