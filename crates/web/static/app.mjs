// Progressive enhancement only: every page works without this.
import { initAll } from '/assets/govuk-frontend.min.js'
initAll()
