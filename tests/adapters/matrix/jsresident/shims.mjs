// matrix-js-sdk 43 declares Node >= 22. Debian ships Node 18 (bookworm) or 20 (trixie); they
// lack only these, which the SDK uses. Imported first, before the SDK's modules run.
import { webcrypto } from "node:crypto";

if (!globalThis.crypto) {
  globalThis.crypto = webcrypto; // global since Node 19
}
if (!Promise.withResolvers) {
  // Node 22
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
