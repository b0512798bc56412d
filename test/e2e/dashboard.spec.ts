import { expect, sessionTest } from './fixtures';

const NAME = 'vitrine-e2e';
const test = sessionTest({ domains: [NAME] });

test('the dashboard lists the domain and turns it to running without a reload', async ({ page, serve, user }) => {
  await page.goto(serve.url);
  expect(page.url()).not.toContain('token'); // traded for a cookie on the first request
  const row = page.getByRole('list', { name: 'Virtual machines' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: NAME }) });
  await expect(row).toContainText('Shut off', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/e2e/dashboard-shut-off.png' });

  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));
  await user.virsh('start', NAME);
  await expect(row).toContainText('Running', { timeout: 15_000 });
  expect(navigations).toEqual([]); // no reload
  await page.screenshot({ path: 'test-results/e2e/dashboard-running.png' });

  await user.virsh('destroy', NAME);
  await expect(row).toContainText('Shut off', { timeout: 15_000 });
});

test('the navigation reaches every page and Settings shows the connection', async ({ page, serve }) => {
  await page.goto(serve.url);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Host', 'Virtual machines', 'Troubleshoot', 'Settings', 'Dashboard', 'Set up']) {
    if (name === 'Set up') {
      await nav.getByRole('link', { name }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Set up a game VM' })).toBeVisible();
      continue;
    }
    await nav.getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  }
  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'qemu:///session' })).toBeVisible();
  // How to get the Looking Glass client here (a Debian host builds it), and the Windows side of the release.
  const getClient = page.getByRole('region', { name: 'Getting the client' });
  await expect(getClient).toContainText('Debian and Ubuntu have no package of the client');
  await expect(getClient).toContainText('sudo apt install binutils-dev cmake fonts-dejavu-core');
  await expect(getClient).toContainText('dkms install');
  await expect(getClient).toContainText('looking-glass-host-setup.exe /S');
  await page.screenshot({ path: 'test-results/e2e/settings.png', fullPage: true });
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { level: 1, name: 'Réglages' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Obtenir le client' })).toContainText('Debian et Ubuntu n’ont pas de paquet du client');
  await page.screenshot({ path: 'test-results/e2e/settings-fr.png', fullPage: true });
  await page.getByLabel('Langue').selectOption('en');
});

test('the first paint needs only the HTML: the shell style is inline (allowed by its CSP hash), the stylesheet at the end of body', async ({ page, serve }) => {
  const refused: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  await page.goto(serve.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  // A style the CSP refuses has no sheet.
  expect(await page.evaluate(() => [...document.head.querySelectorAll('style')].map((s) => s.sheet !== null))).toEqual([true]);
  expect(await page.evaluate(() => document.head.querySelector('link[rel="stylesheet"]') === null && document.body.querySelector('link[rel="stylesheet"]') !== null)).toBe(true);
  expect(refused).toEqual([]);
});

test('a request without the token is refused', async ({ request, serve }) => {
  const res = await request.get(serve.origin + '/', { maxRedirects: 0 });
  expect(res.status()).toBe(401);
  expect(await res.text()).toContain('open the URL that vitrine serve printed');
});
