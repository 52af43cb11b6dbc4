// Browser tests: the real h2h binary serving its demo, driven through Debian's Chromium by
// playwright-core. Clicks through the main pages, saves screenshots to web/screenshots/,
// checks accessibility with axe-core and that the pages work without JavaScript.
//
// H2H_BIN names the binary (default: ../target/debug/h2h); CHROMIUM the browser.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const binary = resolve(process.env.H2H_BIN ?? join(here, '../../target/debug/h2h'))
const screenshots = join(here, '../screenshots')
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const workDir = mkdtempSync(join(tmpdir(), 'h2h-browser-'))

let server
let base
let browser
// Every demo account's password, so the tests can sign in as any role.
const DEMO_PASSWORD = 'browser tests passphrase'
let demoLog = ''

function startServer () {
  return new Promise((resolveStart, rejectStart) => {
    server = spawn(binary, ['demo', '--addr', '127.0.0.1:0', '--db', `sqlite://${join(workDir, 'demo.db')}`], {
      cwd: workDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, H2H_DEMO_PASSWORD: DEMO_PASSWORD }
    })
    let log = ''
    const timer = setTimeout(() => rejectStart(new Error(`the demo did not start in 60 s:\n${log}`)), 60_000)
    server.stderr.on('data', chunk => {
      log += chunk
      demoLog = log
      const match = log.match(/serving on (http:\/\/[^/\s]+)\//)
      if (match) {
        clearTimeout(timer)
        resolveStart(match[1])
      }
    })
    server.on('exit', code => rejectStart(new Error(`the demo exited with ${code}:\n${log}`)))
  })
}

before(async () => {
  mkdirSync(screenshots, { recursive: true })
  base = await startServer()
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
})

after(async () => {
  await browser?.close()
  server?.kill()
  rmSync(workDir, { recursive: true, force: true })
})

// Signs in on the sign-in page as one of the demo's accounts.
async function signIn (page, username) {
  await page.goto(`${base}/login`)
  await page.getByLabel('User name').fill(username)
  await page.getByLabel('Password').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${base}/`)
}

// A page that records console errors and failed requests, for the assertions below, signed
// in as `as` (the demo administrator unless said otherwise; `null` for nobody).
async function watchedPage ({ as = 'admin', ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options })
  const page = await context.newPage()
  page.problems = []
  page.on('console', message => { if (message.type() === 'error') page.problems.push(`console: ${message.text()}`) })
  // Chromium cancels a favicon fetch when the page navigates on first: not a page's problem.
  page.on('requestfailed', request => { if (!request.url().endsWith('/favicon.svg')) page.problems.push(`failed: ${request.url()}`) })
  page.on('response', response => { if (response.status() >= 400) page.problems.push(`${response.status()}: ${response.url()}`) })
  if (as !== null) await signIn(page, as)
  return page
}

async function accessibilityViolations (page) {
  await page.addScriptTag({ content: axeSource })
  const results = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }))
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)
}

test('home, framework, metric and area pages, clicked through', async () => {
  const page = await watchedPage()
  await page.goto(`${base}/`)
  assert.equal(await page.locator('h1').textContent(), 'Drug strategy partnership performance')
  assert.ok(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')), 'GOV.UK Frontend JavaScript ran')
  await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  await page.getByRole('link', { name: 'Outcomes framework' }).first().click()
  await page.waitForURL(`${base}/framework`)
  assert.match(await page.locator('h1').textContent(), /Outcomes Framework/)
  assert.ok(await page.getByRole('heading', { name: 'Reduce drug-related deaths and harm' }).isVisible())
  await page.screenshot({ path: join(screenshots, 'framework.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  await page.getByRole('link', { name: /Deaths related to drug misuse/ }).first().click()
  await page.waitForURL(/\/framework\/metrics\//)
  assert.match(await page.locator('h1').textContent(), /Deaths related to drug misuse/)
  assert.ok(await page.getByText('Lower is better').first().isVisible())
  await page.screenshot({ path: join(screenshots, 'metric.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  await page.goto(`${base}/`)
  await page.getByRole('link', { name: /County Durham and Darlington/ }).click()
  await page.waitForURL(/\/areas\/CDP-DURHAM-DARLINGTON$/)
  assert.ok(await page.getByRole('link', { name: 'County Durham', exact: true }).first().isVisible())
  await page.getByRole('link', { name: 'County Durham', exact: true }).first().click()
  await page.waitForURL(`${base}/areas/E06000047`)
  assert.equal(await page.locator('h1').textContent(), 'County Durham')
  assert.ok(await page.getByText('532,182').first().isVisible())
  assert.ok(await page.getByRole('link', { name: 'North East' }).first().isVisible())
  await page.screenshot({ path: join(screenshots, 'area.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  // The framework overview: real published figures, compared with England in words.
  assert.ok(await page.getByRole('heading', { name: 'Outcomes framework' }).isVisible())
  const deaths = page.getByRole('row', { name: /Deaths related to drug misuse/ }).first()
  assert.match(await deaths.textContent(), /per 100,000/)
  assert.match(await deaths.textContent(), /England/)
  await deaths.getByRole('link').first().click()
  await page.waitForURL(/\/areas\/E06000047\/metrics\//)
  assert.match(await page.locator('h1').textContent(), /Deaths related to drug misuse/)
  await page.screenshot({ path: join(screenshots, 'area-metric.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  await page.goto(`${base}/areas/E06000047/metrics/ons.drug_poisoning_deaths`)
  assert.ok(await page.locator('figure svg[role="img"]').first().isVisible(), 'the series is drawn')
  assert.ok(await page.getByRole('columnheader', { name: 'Numerator' }).first().isVisible())
  await page.getByRole('link', { name: 'Value' }).click()
  await page.waitForURL(/sort=value/)
  await page.screenshot({ path: join(screenshots, 'area-metric-series.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  assert.deepEqual(page.problems, [])
})

test('searching for an area works without JavaScript', async () => {
  const page = await watchedPage({ javaScriptEnabled: false })
  await page.goto(`${base}/`)
  await page.getByLabel('Find an area').fill('darlington')
  await page.getByRole('button', { name: 'Search' }).click()
  await page.waitForURL(/\/areas\?q=darlington/)
  assert.match(await page.locator('h1').textContent(), /darlington/)
  await page.locator('a[href="/areas/E06000005"]').click()
  await page.waitForURL(`${base}/areas/E06000005`)
  assert.equal(await page.locator('h1').textContent(), 'Darlington')
  await page.screenshot({ path: join(screenshots, 'area-no-js.png'), fullPage: true })
  assert.deepEqual(page.problems, [])
})

test('a delivery plan: open it, add an update, filter to red actions, open the action', async () => {
  const page = await watchedPage()
  await page.goto(`${base}/`)
  await page.getByRole('link', { name: 'Delivery plans' }).first().click()
  await page.waitForURL(`${base}/plans`)
  await page.getByRole('link', { name: /County Durham and Darlington Combatting Drugs/ }).click()
  await page.waitForURL(/\/plans\/\d+$/)
  assert.match(await page.locator('#shown').textContent(), /40 of 40 actions shown/)
  await page.screenshot({ path: join(screenshots, 'plan.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  // Mark action 5 red with an update.
  await page.getByRole('row', { name: /^5 / }).getByRole('link').first().click()
  await page.waitForURL(/\/actions\/\d+$/)
  await page.getByLabel('Delivery status').selectOption('red')
  await page.getByLabel('Date of the update').fill('2024-09-30')
  await page.getByLabel('Your name').fill('Partnership lead')
  await page.getByLabel('What has happened since the last update').fill('Recruitment has stalled; escalated to the board.')
  await page.getByRole('button', { name: 'Add update' }).click()
  await page.waitForURL(/#history$/)
  assert.ok(await page.getByText('Recruitment has stalled; escalated to the board.').isVisible())
  assert.ok(await page.getByText('Red: off track').first().isVisible())

  // The plan filtered to red actions shows just that one.
  await page.getByRole('link', { name: /County Durham and Darlington Combatting Drugs/ }).first().click()
  await page.getByLabel('Status').selectOption('red')
  await page.getByRole('button', { name: 'Show actions' }).click()
  await page.waitForURL(/status=red/)
  assert.match(await page.locator('#shown').textContent(), /1 of 40 actions shown/)
  await page.screenshot({ path: join(screenshots, 'plan-red.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  await page.locator('table.h2h-plan tbody a').first().click()
  await page.waitForURL(/\/actions\/\d+$/)
  assert.ok(await page.getByRole('heading', { name: 'Updates' }).isVisible())
  assert.equal(await page.locator('.h2h-history__entry').count(), 2)
  await page.screenshot({ path: join(screenshots, 'plan-action.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  assert.deepEqual(page.problems, [])
})

test('the national attendance analysis and a partnership page, with and without JavaScript', async () => {
  const page = await watchedPage()
  await page.goto(`${base}/`)
  await page.getByRole('link', { name: 'Partnerships', exact: true }).first().click()
  await page.waitForURL(`${base}/partnerships`)
  assert.ok(await page.getByText('hold generated demo data').first().isVisible(), 'the demo says its partnerships are generated')
  await page.getByRole('link', { name: /national attendance analysis/ }).click()
  await page.waitForURL(`${base}/attendance`)
  const findings = await page.locator('#findings').textContent()
  assert.match(findings, /96% of partnerships have police force attendance at main meetings/)
  assert.match(findings, /compared to 20% of London partnerships/)
  assert.ok(await page.getByText(/Generated demo data/).first().isVisible())
  assert.ok(await page.locator('figure svg[role="img"]').first().isVisible(), 'the chart is drawn beside the table')
  await page.screenshot({ path: join(screenshots, 'attendance.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  await page.getByLabel('Member type').selectOption('prison')
  await page.locator('form:has(#type) button').click()
  await page.waitForURL(/type=prison/)
  assert.ok(await page.getByRole('heading', { name: 'Prison (secure estate): by region' }).isVisible())

  await page.goto(`${base}/areas/CDP-DURHAM-DARLINGTON`)
  await page.getByRole('link', { name: "The partnership's members, meetings and attendance" }).click()
  await page.waitForURL(`${base}/partnerships/CDP-DURHAM-DARLINGTON`)
  assert.match(await page.locator('h1').textContent(), /County Durham and Darlington/)
  assert.ok(await page.getByText('Durham Constabulary').first().isVisible())
  assert.ok(await page.getByRole('columnheader', { name: 'Attends regularly' }).isVisible())
  await page.screenshot({ path: join(screenshots, 'partnership.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  assert.deepEqual(page.problems, [])

  // Without JavaScript the year and type choices still work: they are plain GET forms.
  const plain = await watchedPage({ javaScriptEnabled: false })
  await plain.goto(`${base}/attendance`)
  await plain.getByLabel('Financial year').selectOption('2023/24')
  await plain.locator('form:has(#year) button').click()
  await plain.waitForURL(/year=2023/)
  assert.match(await plain.locator('.govuk-caption-l').textContent(), /2023\/24/)
  await plain.goto(`${base}/partnerships/CDP-DURHAM-DARLINGTON`)
  await plain.getByText(/attended, \d+ sent apologies/).first().click()
  assert.ok(await plain.getByText(/^Attended:/).first().isVisible(), 'a meeting opens to who attended')
  await plain.screenshot({ path: join(screenshots, 'partnership-no-js.png'), fullPage: true })
  // The GOV.UK typeface is not shipped (its licence keeps it to gov.uk); app.css maps it to
  // the system's Arial, yet Chromium without JavaScript may still ask for the files once.
  assert.deepEqual(plain.problems.filter(p => !p.includes('/assets/fonts/') && !p.startsWith('console: Failed to load resource')), [])
})

test('the performance pack from an area page, and an annual report signed and frozen', async () => {
  const page = await watchedPage()
  await page.goto(`${base}/areas/CDP-DURHAM-DARLINGTON`)
  assert.ok(await page.getByRole('heading', { name: 'Performance pack' }).isVisible())
  await page.getByRole('button', { name: 'Get the performance pack' }).click()
  await page.waitForURL(/\/pack\?period=/)
  assert.match(await page.locator('h1').first().textContent(), /partnership performance pack/)
  assert.ok(await page.locator('figure svg[role="img"]').first().isVisible(), 'charts are drawn in the pack')
  assert.ok(await page.getByRole('heading', { name: 'Partnership attendance' }).isVisible())
  await page.screenshot({ path: join(screenshots, 'pack.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])

  await page.goto(`${base}/areas/CDP-DURHAM-DARLINGTON`)
  await page.getByRole('link', { name: 'Sign the annual report' }).click()
  await page.waitForURL(/\/sign$/)
  await page.getByLabel('Decision reference').fill('CDDP-2025-01')
  await page.getByLabel('Decision', { exact: true }).fill('I have received and monitored the report.\nI commend the partnership.')
  await page.getByLabel('Your name').fill('Chair of the partnership')
  await page.getByLabel('Your role').fill('Senior Responsible Owner')
  await page.getByRole('button', { name: 'Sign and freeze the report' }).click()
  assert.ok(await page.getByText('The declaration of interests must be confirmed').first().isVisible(), 'signing needs the declaration')
  assert.deepEqual(await accessibilityViolations(page), [])
  await page.getByLabel(/I confirm I have considered/).check()
  await page.getByRole('button', { name: 'Sign and freeze the report' }).click()
  await page.waitForURL(/\/reports\/\d+$/)
  assert.ok(await page.getByRole('heading', { name: 'Signed and frozen' }).isVisible())
  assert.ok(await page.getByText('I commend the partnership.').isVisible())
  await page.screenshot({ path: join(screenshots, 'signed-report.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  await page.getByRole('link', { name: 'Web page (HTML)' }).click()
  assert.ok(await page.getByText('Decision record CDDP-2025-01').isVisible())
  assert.deepEqual(page.problems.filter(p => !p.startsWith('400: ') && !p.includes('status of 400')), [], 'only the refused signature answered 400')
})

test('the scorecard of the demo DIP area from its area page, with and without JavaScript', async () => {
  const page = await watchedPage()
  await page.goto(`${base}/areas/W15000002`)
  await page.getByRole('link', { name: /Results Based Accountability scorecard of Gwent/ }).click()
  await page.waitForURL(`${base}/areas/W15000002/scorecard`)
  assert.match(await page.locator('h1').textContent(), /Scorecard: Gwent/)
  assert.ok(await page.getByText(/Generated demo data/).first().isVisible(), 'the demo says its records are generated')
  assert.ok(await page.getByRole('heading', { name: 'The referral pathway' }).isVisible())
  assert.ok(await page.getByRole('rowheader', { name: 'Care plan agreed' }).isVisible())
  assert.ok(await page.getByRole('heading', { name: 'Is anyone better off?' }).isVisible())
  assert.ok(await page.locator('.h2h-chart svg[role="img"]').first().isVisible(), 'breakdowns are drawn beside their tables')
  assert.ok(await page.getByRole('heading', { name: 'Terminology' }).isVisible())
  await page.screenshot({ path: join(screenshots, 'scorecard.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  assert.deepEqual(page.problems, [])

  // Another period through the plain GET form, without JavaScript.
  const plain = await watchedPage({ javaScriptEnabled: false })
  await plain.goto(`${base}/areas/W06000022/scorecard`)
  await plain.locator('#period').fill('2022/23-Q3')
  await plain.getByRole('button', { name: 'Show the scorecard' }).click()
  await plain.waitForURL(/period=2022%2F23-Q3/)
  assert.ok(await plain.getByRole('columnheader', { name: '2021/22-Q3' }).first().isVisible(), 'the trend shows the quarters before')
  await plain.screenshot({ path: join(screenshots, 'scorecard-quarter-no-js.png'), fullPage: true })
  assert.deepEqual(plain.problems.filter(p => !p.includes('/assets/fonts/') && !p.startsWith('console: Failed to load resource')), [])
})

test('signing in: the demo prints its accounts, nobody is sent to sign in, a lead sees their partnership only', async () => {
  for (const name of ['admin', 'analyst', 'lead', 'submitter', 'viewer']) {
    assert.match(demoLog, new RegExp(`account ${name} \\(`), `the demo prints the ${name} account`)
  }
  const page = await watchedPage({ as: null })
  // The published national figures are open to everyone; a partnership's are not.
  await page.goto(`${base}/areas/E92000001`)
  assert.equal(await page.locator('h1').textContent(), 'England')
  assert.ok(await page.getByText('These are the figures as published').isVisible())
  assert.equal(await page.locator('.h2h-marking').count(), 0, 'no sensitive marking for the public')
  await page.goto(`${base}/areas/E06000047`)
  await page.waitForURL(/\/login\?next=/)
  await page.screenshot({ path: join(screenshots, 'login.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  await page.getByLabel('User name').fill('lead')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  assert.ok(await page.getByText('The user name or password is not right').first().isVisible())
  await page.getByLabel('Password').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${base}/areas/E06000047`)
  assert.equal(await page.locator('h1').textContent(), 'County Durham')
  assert.ok(await page.locator('.h2h-marking').isVisible(), 'the management view carries its marking')
  assert.ok(await page.getByText('Demo partnership lead').isVisible(), 'the header names who is signed in')
  // Another partnership's area is refused.
  const refused = await page.goto(`${base}/areas/E06000001`)
  assert.equal(refused.status(), 403)
  assert.ok(await page.getByRole('heading', { name: 'You do not have access to this page' }).isVisible())
  await page.screenshot({ path: join(screenshots, 'forbidden.png'), fullPage: true })
  // The account page makes an API token, shown once.
  await page.goto(`${base}/account`)
  await page.getByLabel('What the token is for').fill('quarterly script')
  await page.getByRole('button', { name: 'Create a token' }).click()
  const token = (await page.locator('.h2h-token').textContent()).trim()
  assert.match(token, /^h2h_[0-9a-f]{64}$/)
  const api = await fetch(`${base}/api/v1/plans`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(api.status, 200)
  assert.deepEqual(await accessibilityViolations(page), [])
  // Revoking it on the same page stops it at once.
  await page.getByRole('button', { name: 'Revoke the token for quarterly script' }).click()
  await page.waitForURL(`${base}/account`)
  assert.ok(await page.getByRole('cell', { name: /^Revoked / }).isVisible())
  const revoked = await fetch(`${base}/api/v1/plans`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(revoked.status, 401)
  await page.screenshot({ path: join(screenshots, 'account.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(`${base}/`)
  assert.ok(await page.getByRole('link', { name: 'Sign in' }).isVisible())
  // The 401 of the wrong password and the 403 of the other area are expected; nothing else.
  assert.deepEqual(page.problems.filter(p => !/\b40[13]\b/.test(p)), [])
})

test('administration: accounts, publication and the audit log', async () => {
  const page = await watchedPage()
  await page.getByRole('link', { name: 'Administration' }).click()
  await page.waitForURL(`${base}/admin`)
  assert.ok(await page.getByRole('cell', { name: 'Partnership lead', exact: true }).isVisible())
  await page.getByLabel('Publish an area').fill('E06000005')
  await page.getByRole('button', { name: 'Publish', exact: true }).click()
  await page.waitForURL(`${base}/admin`)
  assert.ok(await page.getByRole('link', { name: 'Darlington' }).isVisible())
  await page.screenshot({ path: join(screenshots, 'admin.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  await page.getByRole('link', { name: 'Read the audit log' }).click()
  await page.waitForURL(`${base}/admin/audit`)
  assert.ok(await page.getByRole('cell', { name: 'publication.publish' }).first().isVisible())
  assert.ok(await page.getByRole('cell', { name: 'login' }).first().isVisible())
  await page.screenshot({ path: join(screenshots, 'audit.png'), fullPage: true })
  assert.deepEqual(await accessibilityViolations(page), [])
  const nobody = await fetch(`${base}/areas/E06000005`)
  assert.equal(nobody.status, 200, 'a published area is open to everyone')
  assert.deepEqual(page.problems, [])
})
