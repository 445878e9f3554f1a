/// <reference types="vite/client" />
/**
 * Solves the forms' proof-of-work challenge (security/proof-of-work.ts) in a worker, with the browser's
 * own SHA-256, so that a person never waits for it and the page stays responsive. Without this script the
 * forms still work, under a stricter limit per address.
 */
import PowWorker from './pow.worker.ts?worker';

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-pow]')) {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
  const answer = form.elements.namedItem('pow_number') as HTMLInputElement | null;
  if (!answer || !value('pow_salt')) continue;
  const worker = new PowWorker();
  worker.onmessage = (event: MessageEvent<number | null>) => {
    if (event.data !== null) answer.value = String(event.data);
    worker.terminate();
  };
  worker.postMessage({ salt: value('pow_salt'), challenge: value('pow_challenge'), max: Number(value('pow_max')) });
}
