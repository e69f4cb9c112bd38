import { defineConfig } from '@playwright/test';

// The server is started by end2end/run.sh, which sets BASE_URL.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    // Debian's Chromium: Playwright never downloads a browser here.
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL, trace: 'retain-on-failure' },
  projects: [
    { name: 'js', use: { ...chromium, javaScriptEnabled: true } },
    { name: 'no-js', use: { ...chromium, javaScriptEnabled: false } },
  ],
});
