import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { PASSPHRASE, api, ready, signUp } from './support';

// axe is injected into the page; the pages' Content-Security-Policy would otherwise refuse it.
test.use({ bypassCSP: true });

// axe runs as a script inside the page, so it needs JavaScript; the pages are the same HTML
// either way.
test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name === 'no-js', 'axe needs JavaScript in the page');
});

async function expectNoSeriousViolations(page: import('@playwright/test').Page, path: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `${path} has serious accessibility violations`).toEqual([]);
}

test('visitor pages have no serious accessibility violations', async ({ page }, testInfo) => {
  for (const path of ['/login', '/signup', '/no-such-page']) {
    await page.goto(path);
    await ready(page, testInfo);
    await expectNoSeriousViolations(page, path);
  }
});

test('signed-in pages have no serious accessibility violations', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signUp(page, testInfo, 'axe');
  await ready(page, testInfo);
  await expectNoSeriousViolations(page, '/setup (wallet step)');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await api(page, 'POST', '/api/v1/wallet/recharges', { amount: '50' });
  const models = await api(page, 'GET', '/api/v1/models');
  const modelId = models.models[0].id;

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ['/', '/setup', '/wallet', '/models', `/models/${modelId}`, '/refunds', '/activity', '/settings']) {
      await page.goto(path);
      await ready(page, testInfo);
      await expectNoSeriousViolations(page, `${path} (${scheme})`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // The wizard's later steps, and a form showing an error at its field.
  await api(page, 'PUT', '/api/v1/primary-model', { model_id: modelId });
  await page.goto('/setup');
  await ready(page, testInfo);
  await expectNoSeriousViolations(page, '/setup (fund step)');
  const amount = page.getByLabel('Amount to fund');
  await amount.fill('0.01');
  await page.getByRole('button', { name: 'Fund model' }).click();
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expectNoSeriousViolations(page, '/setup (fund step with an error)');
  await api(page, 'POST', `/api/v1/models/${modelId}/fundings`, { amount: models.models[0].minimum_initial_amount });
  await page.goto('/setup');
  await ready(page, testInfo);
  await expectNoSeriousViolations(page, '/setup (done)');
});

/** The layout shift the page has seen since it started loading (Cumulative Layout Shift). */
async function layoutShift(page: import('@playwright/test').Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            total += (entry as unknown as { value: number }).value;
          }
        }).observe({ type: 'layout-shift', buffered: true });
        // Buffered entries arrive in the observer's first callback, within a frame or two.
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(total)));
      }),
  );
}

test('hydration moves nothing on the page', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signUp(page, testInfo, 'shift');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await api(page, 'POST', '/api/v1/wallet/recharges', { amount: '50' });
  const models = await api(page, 'GET', '/api/v1/models');
  const modelId = models.models[0].id;
  await api(page, 'POST', `/api/v1/models/${modelId}/fundings`, { amount: models.models[0].minimum_initial_amount });

  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    for (const path of ['/', '/setup', '/wallet', '/models', `/models/${modelId}`, '/refunds', '/activity', '/settings']) {
      await page.goto(path);
      await ready(page, testInfo);
      expect(await layoutShift(page), `layout shift on ${path} at ${width} px`).toBe(0);
    }
  }
});

test('every page fits a 360 px wide phone without sideways scrolling', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  for (const path of ['/login', '/signup']) {
    await page.goto(path);
    await ready(page, testInfo);
    expect(await overflow(), `${path} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
  }

  await signUp(page, testInfo, 'narrow');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await api(page, 'POST', '/api/v1/wallet/recharges', { amount: '50' });
  const models = await api(page, 'GET', '/api/v1/models');
  const modelId = models.models[0].id;
  await api(page, 'PUT', '/api/v1/primary-model', { model_id: modelId });
  await api(page, 'POST', `/api/v1/models/${modelId}/fundings`, { amount: models.models[0].minimum_initial_amount });

  for (const path of ['/', '/setup', '/wallet', '/models', `/models/${modelId}`, '/refunds', '/activity', '/settings']) {
    await page.goto(path);
    await ready(page, testInfo);
    expect(await overflow(), `${path} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
  }
});
