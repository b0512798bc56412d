import { join } from 'node:path';
import { writeHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

const hostDir = (user: SessionUser): string => join(user.home, 'host');
const test = sessionTest({
  // Seed 000's Z490: one card shares its group with NICs, one can be passed, the iGPU is the boot display.
  prepare: (user) => void writeHostTree(FIXTURE_HOSTS.seed000Z490, hostDir(user)),
  serveArgs: (user) => hostRootArgs(hostDir(user)),
});

test('the Host page shows the checklist, the GPUs with their verdicts and the group map', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Host' })).toBeVisible();

  const checklist = page.getByRole('list', { name: 'Readiness checklist' });
  await expect(checklist.getByRole('listitem').filter({ hasText: 'IOMMU groups' }).first()).toContainText('OK', { timeout: 20_000 });

  // Each row: the badge in its narrow column, the text beside it taking the rest (not squeezed into a sliver).
  const rows = checklist.getByRole('listitem');
  const listBox = (await checklist.boundingBox())!;
  for (let i = 0; i < (await rows.count()); i++) {
    const title = (await rows.nth(i).locator('.check-title').boundingBox())!;
    const badge = (await rows.nth(i).locator('.status').boundingBox())!;
    expect(title.width, `row ${i}: the text column`).toBeGreaterThan(listBox.width * 0.6);
    expect(badge.width, `row ${i}: the badge`).toBeLessThan(listBox.width * 0.2);
    expect(title.x, `row ${i}: text right of the badge`).toBeGreaterThan(badge.x + badge.width);
  }

  const second = page.getByRole('article', { name: /0000:07:00\.0/ });
  await expect(second).toContainText('Can be passed');
  await expect(second).toContainText('0000:07:00.3');
  const first = page.getByRole('article', { name: /0000:01:00\.0/ });
  await expect(first).toContainText('Shares its group');
  await expect(first).toContainText('0000:04:00.0');
  await expect(page.getByRole('article', { name: /0000:00:02\.0/ })).toContainText("Host's display");

  const group12 = page.getByRole('region', { name: 'Group 12' });
  await expect(group12).toContainText('07:00.0');
  await expect(group12).toContainText('Can be passed');
  await expect(page.getByRole('region', { name: 'Group 1', exact: true })).toContainText('bridge, stays with the host');
  await page.screenshot({ path: 'test-results/e2e/host-z490.png', fullPage: true });
});
