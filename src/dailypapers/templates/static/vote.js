// 👍/👎 on a paper page of the live app: the app's one write (POST /api/papers/{id}/vote, JSON, same origin).
// Votes join the reader's interest profile (rank = "interest"). Nothing here parses HTML.
const box = document.querySelector("p.vote[data-paper]");
if (box) {
  const buttons = box.querySelectorAll("button[data-v]");
  const show = (vote) => {
    box.dataset.vote = String(vote);
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.v === String(vote)));
  };
  show(Number(box.dataset.vote || 0));
  for (const b of buttons) {
    b.addEventListener("click", async () => {
      const wanted = box.dataset.vote === b.dataset.v ? 0 : Number(b.dataset.v); // a second click takes it back
      const answer = await fetch(new URL(`../api/papers/${encodeURIComponent(box.dataset.paper)}/vote`,
                                         document.baseURI), {
        method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({vote: wanted}),
        credentials: "same-origin",
      });
      if (answer.ok) show(wanted);
    });
  }
}
