// Progressive enhancement only: Ctrl+Enter (or Cmd+Enter) in a query editor submits its form.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target instanceof HTMLTextAreaElement && target.form) {
    event.preventDefault();
    target.form.requestSubmit();
  }
});
