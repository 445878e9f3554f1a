/**
 * Search as you type for the report form's agency (features/reports/contribute.page.ts): the choices
 * appear as radio buttons in the form while the person types. Without this script the "Find" button
 * does the same through the page itself.
 */
const input = document.querySelector<HTMLInputElement>('input[data-agency-search]');
const choices = document.getElementById('agency-choices');

interface Choice {
  id: string;
  name: string;
  state_code: string;
}

if (input && choices) {
  let timer: number | undefined;
  let asked = '';
  const legend = choices.querySelector('legend')?.outerHTML ?? '<legend>Agency</legend>';
  const show = (found: Choice[], text: string) => {
    choices.replaceChildren();
    choices.insertAdjacentHTML('afterbegin', legend);
    const status = document.createElement('p');
    status.setAttribute('role', 'status');
    status.className = 'note';
    status.textContent = found.length
      ? `${found.length} ${found.length === 1 ? 'agency matches' : 'agencies match'} “${text}”`
      : `No agency matches “${text}”`;
    choices.append(status);
    for (const a of found) {
      const label = document.createElement('label');
      label.className = 'inline';
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'agency';
      radio.value = a.id;
      radio.required = true;
      label.append(radio, ` ${a.name} (${a.state_code})`);
      choices.append(label);
    }
  };
  const find = async (text: string) => {
    if (text.length < 2 || text === asked) return;
    asked = text;
    const response = await fetch(`/contribute/agencies?q=${encodeURIComponent(text)}`);
    if (!response.ok || input.value.trim() !== text) return;
    show(((await response.json()) as { data: Choice[] }).data, text);
  };
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void find(input.value.trim()), 200);
  });
}
