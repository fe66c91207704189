// The shift report's print button (Oee/Pages/ShiftReport.razor, static): the page prints itself; its print styles
// (wwwroot/app.css) leave out the navigation and fit A4.
for (const button of document.querySelectorAll('button[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
