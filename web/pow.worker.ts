/** Finds the number behind a proof-of-work challenge, off the page's main thread. */
self.onmessage = async (event: MessageEvent<{ salt: string; challenge: string; max: number }>) => {
  const { salt, challenge, max } = event.data;
  const encoder = new TextEncoder();
  for (let n = 0; n <= max; n++) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${salt}${n}`)));
    let hex = '';
    for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
    if (hex === challenge) {
      self.postMessage(n);
      return;
    }
  }
  self.postMessage(null);
};
