// Fold the sidebar once per token on a narrow screen (ui/classroom.py). A student who joins by typing the code
// into the sidebar's class box on a phone kept the sidebar over the whole page, and did not see that the screen
// now follows the lecturer (play-test). On a wide screen the sidebar sits beside the page and stays open.

const NARROW_PX = 768; // below this width Streamlit lays the sidebar over the page

function fold() {
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!button || !sidebar || sidebar.getAttribute("data-collapsed") === "true") return false;
  button.click();
  return true;
}

export default function (component) {
  const { data } = component;
  const kept = (window.__dgmFold = window.__dgmFold || { token: null });
  if (!data.token || kept.token === data.token) return;
  kept.token = data.token;
  if (window.innerWidth >= NARROW_PX) return;
  if (!fold()) requestAnimationFrame(fold); // the button is drawn with this run's elements
}
