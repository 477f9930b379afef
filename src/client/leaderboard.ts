/**
 * The Habits page's team leaderboard as of any day: the page ships each recent camp's team ×
 * day points (a few kilobytes) and the prerendered table of the most recent camp's last day;
 * picking a camp or a day redraws the table with the build's own standingsAsOf.
 */
import { i18n, type Lang } from '../i18n/index.ts';
import type { CampBoard } from '../page-data/habits-page.ts';
import { campDays, standingsAsOf } from '../ui/leaderboard.ts';
import { isLongLabel } from '../ui/long-label.ts';

const form = document.querySelector<HTMLFormElement>('form.leaderboard-pick');
const table = document.querySelector<HTMLTableElement>('#leaderboard');
if (form && table) {
  const boards = JSON.parse(form.dataset.boards!) as CampBoard[];
  const texts = JSON.parse(form.dataset.texts!) as { caption: string; noTeam: string; lang: Lang };
  const f = i18n(texts.lang);
  const campSelect = form.elements.namedItem('camp') as HTMLSelectElement;
  const dateSelect = form.elements.namedItem('date') as HTMLSelectElement;
  const cell = (tag: 'td' | 'th', text: string, cls?: string) => {
    const el = document.createElement(tag);
    // a long team name is boxed to wrap, as Label.astro does
    if (isLongLabel(text)) el.append(Object.assign(document.createElement('span'), { className: 'long', textContent: text }));
    else el.textContent = text;
    if (cls) el.className = cls;
    if (tag === 'th') el.scope = 'row';
    return el;
  };
  const draw = () => {
    const board = boards.find((b) => b.groupId === campSelect.value) ?? boards[0];
    const date = dateSelect.value;
    table.caption!.textContent = texts.caption.replace('{camp}', board.name ?? board.groupId).replace('{date}', date);
    table.tBodies[0].replaceChildren(
      ...standingsAsOf(board, date).map((r) => {
        const tr = document.createElement('tr');
        tr.append(cell('td', String(r.rank)), cell('th', r.team ?? texts.noTeam, 'left'), cell('td', f.num(r.points, 0)), cell('td', f.num(r.cumulative, 0)));
        return tr;
      }),
    );
  };
  const fillDays = () => {
    const board = boards.find((b) => b.groupId === campSelect.value) ?? boards[0];
    dateSelect.replaceChildren(...campDays(board).map((d) => new Option(d, d, d === board.last, d === board.last)));
  };
  campSelect.addEventListener('change', () => {
    fillDays();
    draw();
  });
  dateSelect.addEventListener('change', draw);
  form.hidden = false;
}
