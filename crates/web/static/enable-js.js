// Marks the page as able to run GOV.UK Frontend's JavaScript before it renders (no flash).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
