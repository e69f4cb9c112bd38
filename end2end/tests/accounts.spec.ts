import { expect, test } from '@playwright/test';
import { PASSWORD, ready, screenshot, screenshotAll, uniqueEmail } from './support';

test('a new user signs up, lands on the setup path, logs out and logs in again', async ({ page }, testInfo) => {
  const email = uniqueEmail('ada', testInfo);

  await page.goto('/signup');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Set up Twofold' })).toBeVisible();
  await expect(page.locator('[data-test="account-email"]')).toHaveText(email);
  await ready(page, testInfo);

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Your overview' })).toBeVisible();
  await expect(page.locator('[data-test="next-action"]')).toContainText('Set up your wallet');
  await ready(page, testInfo);
  await screenshot(page, testInfo, 'home');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'login');

  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();

  // The setup path is not finished, so logging in resumes it.
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.locator('[data-test="account-email"]')).toHaveText(email);
});

test('a short password gets an error at the field and keeps the email', async ({ page }, testInfo) => {
  const email = uniqueEmail('short', testInfo);

  await page.goto('/signup');
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();

  const password = page.getByLabel('Password');
  await expect(page.locator('[data-test="error-password"]')).toHaveText(/at least 10 characters/);
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAttribute('aria-describedby', /field-password-error/);
  await expect(password).toHaveValue('');
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await screenshot(page, testInfo, 'signup-error');
});

test('a wrong password is refused without saying whether the account exists', async ({ page, browser }, testInfo) => {
  // An account that exists, made in a context of its own so this page stays logged out.
  const owner = await browser.newContext({ baseURL: process.env.BASE_URL });
  const existing = uniqueEmail('somebody', testInfo);
  const signUp = await owner.request.post('/api/v1/accounts', {
    data: { email: existing, password: PASSWORD },
  });
  expect(signUp.status()).toBe(201);
  await owner.close();

  const answers: string[] = [];
  for (const email of [uniqueEmail('nobody', testInfo), existing]) {
    await page.goto('/login');
    await ready(page, testInfo);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'not correct' });
    await expect(alert).toBeVisible();
    answers.push((await alert.innerText()).trim());
  }

  expect(answers[1]).toBe(answers[0]);
  await screenshot(page, testInfo, 'login-error');
});
