// Fold the sidebar on a narrow screen, where Streamlit lays it over the page (ui/layout.py, ui/classroom.py):
// - when the page changes (data.page): a student on a phone who opened the sidebar and picked a page found the
//   new page loaded behind the sidebar, which covered most of the screen until they tapped beside it (phone
//   play-test); the first page of a visit is left alone (Streamlit opens it with the sidebar folded);
// - once per token (data.token): a student who joins by typing the code into the sidebar's class box kept the
//   sidebar over the page and did not see that the screen now follows the lecturer (class play-test).
// - once per token at any width (data.always): a presenter link opens with the sidebar folded, as
//   st.set_page_config asks; Streamlit keeps the sidebar as the browser last left it (localStorage) and
//   would otherwise open the lecture link with the sidebar over a third of the projector.
// On a wide screen the sidebar sits beside the page and stays open.

const NARROW_PX = 768; // below this width Streamlit lays the sidebar over the page

function fold() {
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!button || !sidebar || sidebar.getAttribute("data-collapsed") === "true") return false;
  button.click();
  return true;
}

function isNews(data) {
  if (data.page !== undefined) {
    const seen = (window.__dgmFoldPage = window.__dgmFoldPage || { page: null });
    const first = seen.page === null;
    const moved = seen.page !== data.page;
    seen.page = data.page;
    return moved && !first;
  }
  const kept = (window.__dgmFold = window.__dgmFold || { token: null });
  if (!data.token || kept.token === data.token) return false;
  kept.token = data.token;
  return true;
}

export default function (component) {
  const { data } = component;
  if (!isNews(data) || (window.innerWidth >= NARROW_PX && !data.always)) return;
  if (!fold()) requestAnimationFrame(fold); // the button is drawn with this run's elements
}
