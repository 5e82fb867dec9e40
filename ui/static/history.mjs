// The browser's Back button goes back to the previous page, not to the previous setting. Streamlit records every
// change of the address in the browser's history; this app writes each page's settings into its address (the
// share link), so a lecture link (a move to a page, then that page's settings written) left two entries, and
// Back landed on the same page again (seen in chromium: Back twice after lecture link 8 stayed on /pixels).
// A new address on the same page replaces the current entry; a move to another page still adds one.
// Installed once per tab (a flag on window); every page mounts it (ui/layout.py, sidebar).

export default function () {
  if (window.__dgmHistory) return;
  window.__dgmHistory = true;
  const push = history.pushState;
  history.pushState = function (state, title, url) {
    let samePage = false;
    try {
      samePage = url != null && new URL(url, location.href).pathname === location.pathname;
    } catch (err) {
      samePage = false; // an address the URL parser refuses: leave it to the browser
    }
    return samePage ? history.replaceState(state, title, url) : push.call(history, state, title, url);
  };
}
