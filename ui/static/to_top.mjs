// Back to the top of the page, once per token (ui/classroom.py): the presenter who opens an activity from the
// sidebar lands on the activity's page, whose live results sit at the top, while the browser kept the scroll of
// the page they came from (a lecturer scrolled down to close the last activity). The last token is kept on
// window, so the reruns that mount this again do not pull a lecturer who scrolled since back up.

const SCROLLERS = ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]', '[data-testid="stAppScrollToBottomContainer"]'];

function toTop() {
  window.scrollTo(0, 0);
  for (const selector of SCROLLERS) {
    for (const element of document.querySelectorAll(selector)) element.scrollTop = 0;
  }
}

export default function (component) {
  const { data } = component;
  const kept = (window.__dgmToTop = window.__dgmToTop || { token: null });
  if (!data.token || kept.token === data.token) return;
  kept.token = data.token;
  toTop();
  requestAnimationFrame(toTop); // and once more after this run's elements are laid out
}
