import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { PASSWORD, jsEnabled, ready, screenshot, screenshotAll, uniqueEmail, unlockAndContinue } from './support';

// Claude Haiku 4.5 in the built-in catalog: minimum initial amount 5.00, minimum top-up 2.00,
// 1.00 per million input tokens and 5.00 per million output tokens.
const MODEL = 'claude-haiku-4-5';
const OTHER_MODEL = 'gpt-4o-mini';
const PASSPHRASE = 'a wallet passphrase for tests';

const json = { 'Content-Type': 'application/json' };

/** Signs up through the API (the page shares its cookies), sets up and recharges the wallet. */
async function newUserWithWallet(page: Page, testInfo: TestInfo, recharge = '100.00'): Promise<void> {
  const email = uniqueEmail('models', testInfo);
  const signup = await page.request.post('/api/v1/accounts', { headers: json, data: { email, password: PASSWORD } });
  expect(signup.status()).toBe(201);
  const wallet = await page.request.post('/api/v1/wallet', {
    headers: json,
    data: { passphrase: PASSPHRASE, auto_lock_minutes: 30 },
  });
  expect(wallet.status()).toBe(201);
  const recharged = await page.request.post('/api/v1/wallet/recharges', { headers: json, data: { amount: recharge } });
  expect(recharged.status()).toBe(201);
}

async function fundThroughApi(page: Page, model: string, amount: string): Promise<void> {
  const response = await page.request.post(`/api/v1/models/${model}/fundings`, { headers: json, data: { amount } });
  expect(response.status()).toBe(201);
}

async function refundableThroughApi(page: Page, model: string): Promise<string> {
  const response = await page.request.get(`/api/v1/models/${model}/funding`);
  expect(response.status()).toBe(200);
  return (await response.json()).funding.refundable;
}

async function fundingEntries(page: Page, model: string): Promise<unknown[]> {
  const response = await page.request.get(`/api/v1/entries?model_id=${model}`);
  expect(response.status()).toBe(200);
  const body = await response.json();
  return body.entries.filter((entry: { kind: string }) => entry.kind === 'funding');
}

/** A new user whose model holds `amount`, all of it refundable (past the 5-second lock window). */
async function newUserWithRefundable(page: Page, testInfo: TestInfo, amount: string): Promise<void> {
  await newUserWithWallet(page, testInfo);
  await fundThroughApi(page, MODEL, amount);
  await expect.poll(() => refundableThroughApi(page, MODEL), { timeout: 15_000 }).toBe(amount);
}

const byTest = (page: Page, name: string) => page.locator(`[data-test="${name}"]`);

async function placeHold(page: Page, userId: string, amount: string): Promise<void> {
  const hold = await page.request.post('/api/v1/holds', {
    headers: { ...json, Authorization: `Bearer ${process.env.TWOFOLD_METERING_TOKEN}` },
    data: { user_id: userId, model_id: MODEL, amount, ttl_seconds: 600 },
  });
  expect(hold.status()).toBe(201);
}

test('funding below the minimum is refused at the field, at the minimum it goes through, then a top-up', async ({ page }, testInfo) => {
  await newUserWithWallet(page, testInfo);

  await page.goto(`/models/${MODEL}`);
  await ready(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Claude Haiku 4.5', level: 1 })).toBeVisible();
  await expect(byTest(page, 'why-two-layers')).toContainText('model use is paid only from the model balance');
  await page.getByRole('button', { name: 'Set as primary model' }).click();
  await expect(byTest(page, 'is-primary')).toBeVisible();
  await ready(page, testInfo);

  await expect(byTest(page, 'current-minimum')).toContainText('5.00');
  await expect(byTest(page, 'total')).toContainText('5.00');
  await expect(byTest(page, 'lock-warning')).toContainText('lock window of 5 seconds');
  const amount = page.getByLabel('Amount to fund (USD)');
  await amount.fill('4.99');
  await page.getByRole('button', { name: 'Fund this model' }).click();

  await expect(byTest(page, 'fund-amount-error')).toContainText(
    "Initial funding of 4.99 is below this model's minimum initial amount of 5.00.",
  );
  await expect(page.getByLabel('Amount to fund (USD)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Amount to fund (USD)')).toHaveValue('4.99');
  await expect(byTest(page, 'layer-model')).toContainText('0.00');

  await ready(page, testInfo);
  await page.getByLabel('Amount to fund (USD)').fill('5.00');
  await page.getByRole('button', { name: 'Fund this model' }).click();

  await expect(byTest(page, 'layer-model')).toContainText('5.00');
  await expect(byTest(page, 'layer-wallet')).toContainText('95.00');
  await expect(byTest(page, 'next-refundable')).toContainText('The next amount becomes refundable at');

  await ready(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Top up', level: 2 })).toBeVisible();
  await expect(byTest(page, 'current-minimum')).toContainText('2.00');
  await page.getByLabel('Amount to fund (USD)').fill('2.00');
  await page.getByRole('button', { name: 'Top up this model' }).click();

  await expect(byTest(page, 'layer-model')).toContainText('7.00');
  await expect(byTest(page, 'layer-wallet')).toContainText('93.00');
  expect(await fundingEntries(page, MODEL)).toHaveLength(2);
});

test('a refundable amount smaller than the balance is explained, refunded in part, then all', async ({ page }, testInfo) => {
  await newUserWithRefundable(page, testInfo, '10.00');
  await fundThroughApi(page, MODEL, '5.00');

  await page.goto('/refunds');
  await ready(page, testInfo);
  const card = byTest(page, `refund-${MODEL}`);
  await expect(card.locator('[data-test="refundable-now"]')).toContainText('10.00');
  await expect(card.locator('[data-test="locked-funding"]')).toContainText('refundable from');
  await expect(card.locator('[data-test="stage-note"]')).toContainText('That is a stage, not an error');
  await screenshotAll(page, testInfo, 'refunds');

  await card.getByLabel('Amount to refund (USD)').fill('3.00');
  await card.getByRole('button', { name: 'Refund this amount' }).click();

  await expect(byTest(page, `refund-${MODEL}`).locator('[data-test="refundable-now"]')).toContainText('7.00');
  await expect(byTest(page, 'wallet-balance')).toContainText('88.00');

  // The 5.00 top-up leaves the 5-second lock window: 12.00 becomes refundable.
  await expect(async () => {
    await page.reload();
    await expect(byTest(page, `refund-${MODEL}`).locator('[data-test="refundable-now"]')).toContainText('12.00', {
      timeout: 1_000,
    });
  }).toPass({ timeout: 20_000 });
  await ready(page, testInfo);
  await byTest(page, `refund-${MODEL}`).getByRole('button', { name: 'Refund everything refundable now' }).click();

  await expect(byTest(page, 'no-fundings')).toBeVisible();
  await expect(byTest(page, 'wallet-balance')).toContainText('100.00');
});

test('with JavaScript, the fee and total follow the amount as it is typed', async ({ page }, testInfo) => {
  test.skip(!jsEnabled(testInfo), 'without JavaScript the figures are those of the amount the page was drawn with');
  await newUserWithWallet(page, testInfo);
  await page.goto(`/models/${MODEL}`);
  await ready(page, testInfo);
  await expect(byTest(page, 'fee-label')).toHaveText('Funding fee on 5.00 USD');

  const amount = page.getByLabel('Amount to fund (USD)');
  await amount.fill('7.5');
  await expect(byTest(page, 'fee-label')).toHaveText('Funding fee on 7.50 USD');
  await expect(byTest(page, 'fee')).toContainText('0.00');
  await expect(byTest(page, 'total')).toContainText('7.50');
  await expect(byTest(page, 'lock-warning')).toContainText('All 7.50 USD of this funding');
  await expect(byTest(page, 'shortfall')).toHaveCount(0);

  // More than the wallet's 100.00: the page says by how much before anything is sent.
  await amount.fill('120');
  await expect(byTest(page, 'shortfall')).toContainText('is 20.00 USD short of this total');

  // Not an amount: the figures go back to those the page was drawn with, and the field says why.
  await amount.fill('7.5e1');
  await expect(byTest(page, 'fund-amount-error')).toContainText('without an exponent');
  await expect(byTest(page, 'total')).toContainText('5.00');
  expect(await fundingEntries(page, MODEL)).toHaveLength(0);
});

test('a double-clicked funding button moves money once', async ({ page }, testInfo) => {
  await newUserWithWallet(page, testInfo);

  await page.goto(`/models/${MODEL}`);
  await ready(page, testInfo);
  await page.getByLabel('Amount to fund (USD)').fill('5.00');
  await page.getByRole('button', { name: 'Fund this model' }).dblclick();

  await expect(byTest(page, 'layer-model')).toContainText('5.00');
  await expect(byTest(page, 'layer-wallet')).toContainText('95.00');
  expect(await fundingEntries(page, MODEL)).toHaveLength(1);
  await page.reload();
  await expect(byTest(page, 'layer-wallet')).toContainText('95.00');
});

test('the funding form sent twice with its token moves money once', async ({ page }, testInfo) => {
  // What a double submit amounts to whatever the browser does: the same form, token and all,
  // reaching the server twice. Both posts get through; only the first moves money.
  await newUserWithWallet(page, testInfo);
  await page.goto(`/models/${MODEL}`);
  await ready(page, testInfo);
  const form = byTest(page, 'fund-form');
  const fields = {
    model_id: await form.locator('input[name="model_id"]').inputValue(),
    idempotency_key: await form.locator('input[name="idempotency_key"]').inputValue(),
    amount: '5.00',
  };
  expect(fields.idempotency_key).not.toBe('');

  for (let i = 0; i < 2; i++) {
    const response = await page.request.post('/fn/fund_model', { form: fields, headers: { Accept: 'text/html' }, maxRedirects: 0 });
    // A refused post is redirected back with its error in the query; both must be answered
    // as successes, the second with the first's outcome.
    expect(response.status(), await response.text()).toBeLessThan(400);
    expect(response.headers()['location'] ?? '').not.toContain('__err');
  }

  expect(await fundingEntries(page, MODEL)).toHaveLength(1);
  await page.reload();
  await expect(byTest(page, 'layer-wallet')).toContainText('95.00');
});

test('a locked wallet refuses funding, then unlocks in place and carries on', async ({ page }, testInfo) => {
  await newUserWithWallet(page, testInfo);
  expect((await page.request.post('/api/v1/wallet/lock', { headers: json, data: {} })).status()).toBe(200);

  await page.goto(`/models/${MODEL}`);
  await ready(page, testInfo);
  await expect(byTest(page, 'wallet-locked-note')).toContainText('Your wallet is locked');
  await page.getByLabel('Amount to fund (USD)').fill('5.00');
  await page.getByRole('button', { name: 'Fund this model' }).click();

  const alert = byTest(page, 'fund-alert');
  await expect(alert).toContainText('Your wallet is locked');
  await expect(alert.getByRole('link', { name: 'Unlock it on the wallet page' })).toHaveAttribute('href', '/wallet');
  expect(await fundingEntries(page, MODEL)).toHaveLength(0);

  await unlockAndContinue(page, testInfo, PASSPHRASE);

  await expect(byTest(page, 'layer-wallet')).toContainText('95.00');
  expect(await fundingEntries(page, MODEL)).toHaveLength(1);
});

test('a locked wallet refuses refunds, then unlocks in place and refunds what was asked', async ({ page }, testInfo) => {
  await newUserWithRefundable(page, testInfo, '10.00');
  const lock = async () =>
    expect((await page.request.post('/api/v1/wallet/lock', { headers: json, data: {} })).status()).toBe(200);
  await lock();

  await page.goto('/refunds');
  await ready(page, testInfo);
  const card = () => byTest(page, `refund-${MODEL}`);
  await card().getByLabel('Amount to refund (USD)').fill('4.00');
  await card().getByRole('button', { name: 'Refund this amount' }).click();
  await expect(byTest(page, 'refund-alert')).toContainText('Your wallet is locked');
  expect(await refundableThroughApi(page, MODEL)).toBe('10.00');
  await screenshot(page, testInfo, 'refunds-locked');

  await unlockAndContinue(page, testInfo, PASSPHRASE);
  await expect(card().locator('[data-test="refundable-now"]')).toContainText('6.00');
  await expect(byTest(page, 'wallet-balance')).toContainText('94.00');

  await lock();
  await page.reload();
  await ready(page, testInfo);
  await card().getByRole('button', { name: 'Refund everything refundable now' }).click();
  await expect(byTest(page, 'refund-all-alert')).toContainText('Your wallet is locked');
  expect(await refundableThroughApi(page, MODEL)).toBe('6.00');

  await unlockAndContinue(page, testInfo, PASSPHRASE);
  await expect(byTest(page, 'no-fundings')).toBeVisible();
  await expect(byTest(page, 'wallet-balance')).toContainText('100.00');
});

test('usage shows in the consumption chart with an average, days left and a suggested top-up', async ({ page }, testInfo) => {
  await newUserWithWallet(page, testInfo);
  expect((await page.request.put('/api/v1/primary-model', { headers: json, data: { model_id: MODEL } })).status()).toBe(200);
  await fundThroughApi(page, MODEL, '10.00');
  const me = await (await page.request.get('/api/v1/me')).json();
  // 1,000,000 input tokens at 1.00 and 200,000 output tokens at 5.00 per million: 2.00.
  const usage = await page.request.post('/api/v1/usage', {
    headers: { ...json, Authorization: `Bearer ${process.env.TWOFOLD_METERING_TOKEN}` },
    data: { user_id: me.user.id, model_id: MODEL, input_tokens: 1_000_000, output_tokens: 200_000 },
  });
  expect(usage.status()).toBe(201);

  await page.goto(`/models/${MODEL}`);
  await ready(page, testInfo);
  const chart = byTest(page, 'spend-chart');
  await expect(chart.getByRole('img')).toHaveAttribute('aria-label', /2\.00 USD in all/);
  await expect(chart.locator('[data-test="chart-bar"]')).toHaveCount(30);
  await expect(byTest(page, 'spend-table')).toContainText('2.00');
  // 2.00 over 7 days is 0.2857… a day, rounded up to 0.29; the forecast works with the figure
  // it shows, so each number below can be checked by hand.
  await expect(byTest(page, 'average-daily')).toContainText('0.29');
  // 8.00 available / 0.29 a day = 27.6 days.
  await expect(byTest(page, 'days-left')).toHaveText('27');
  // 30 × 0.29 = 8.70 needs 0.70 more than the 8.00 available: below the minimum top-up of 2.00.
  await expect(byTest(page, 'suggested-top-up')).toContainText('2.00');
  await screenshotAll(page, testInfo, 'model');

  await page.getByLabel('Days to cover').fill('60');
  await page.getByRole('button', { name: 'Suggest a top-up' }).click();

  await expect(page).toHaveURL(/days=60/);
  // 60 × 0.29 = 17.40, less the 8.00 available.
  await expect(byTest(page, 'suggested-top-up')).toContainText('9.40');

  await page.goto(`/models/${OTHER_MODEL}`);
  await ready(page, testInfo);
  await expect(byTest(page, 'second-model-note')).toContainText('Most people do better with one model');

  await page.goto('/models');
  await ready(page, testInfo);
  const haiku = byTest(page, `model-${MODEL}`);
  await expect(haiku.locator('[data-test="model-status"]')).toHaveText('Primary model');
  await expect(haiku.locator('[data-test="model-balance"]')).toContainText('8.00');
  await screenshotAll(page, testInfo, 'models');

  // An open hold shows as its own part of the waterfall.
  await placeHold(page, me.user.id, '1.00');
  await page.goto(`/models/${MODEL}`);
  await expect(byTest(page, 'open-hold')).toContainText('Reserved for a request in flight');

  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'model-with-hold');
  await page.goto('/refunds');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'refunds-with-hold');

  // The overview lists every request in flight with what it holds.
  await page.goto('/');
  const holds = byTest(page, 'open-holds');
  await expect(holds.getByRole('row')).toHaveCount(2);
  await expect(holds).toContainText('Claude Haiku 4.5');
  await expect(holds).toContainText('1.00');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'overview-with-hold');
});

test.describe('accessibility', () => {
  // axe is injected into the page; the pages' Content-Security-Policy would otherwise refuse it.
  test.use({ bypassCSP: true });

  test('the catalog, a funded model page and the refund view have no serious violations', async ({ page }, testInfo) => {
    test.skip(!jsEnabled(testInfo), 'axe runs as a script inside the page');
    await newUserWithWallet(page, testInfo);
    expect((await page.request.put('/api/v1/primary-model', { headers: json, data: { model_id: MODEL } })).status()).toBe(200);
    await fundThroughApi(page, MODEL, '10.00');
    const me = await (await page.request.get('/api/v1/me')).json();
    await placeHold(page, me.user.id, '1.00');

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of ['/models', `/models/${MODEL}`, '/refunds']) {
        await page.goto(path);
        await ready(page, testInfo);
        const results = await new AxeBuilder({ page }).analyze();
        const serious = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(serious, `${path} (${scheme})`).toEqual([]);
      }
      await screenshot(page, testInfo, `refunds-with-hold-${scheme}`);
    }
  });
});
