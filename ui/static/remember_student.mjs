// Remember a class's student in this browser (ui/classroom.py): a cookie holding their random student id for this
// class. Another tab of the same browser that joins the same class sends it with its connection
// (st.context.cookies), so one person with four tabs is one student with one vote, not four (play-test). The id
// is random and says nothing about the person; the cookie ends with the room's lifetime.

const ID = /^[A-Za-z0-9_-]{8,32}$/;
const NAME = /^dgm_student_[A-Z0-9]{5}$/;

export default function (component) {
  const { data } = component;
  if (!data || !NAME.test(data.name) || !ID.test(data.value)) return;
  document.cookie = `${data.name}=${data.value}; path=/; max-age=${Math.round(data.max_age_s)}; SameSite=Lax`;
}
