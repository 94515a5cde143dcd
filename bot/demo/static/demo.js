// The demo clock: a press moves it forward; the bot's dispatcher then sends what has become due.
"use strict";
const now = document.getElementById("clock-now");
async function moveClock(hours) {
  const response = await fetch(`/clock?lang=${encodeURIComponent(now.dataset.lang)}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ hours }),
  });
  if (response.ok) now.textContent = (await response.json()).label;
}

async function showClock() {
  const response = await fetch(`/clock?lang=${encodeURIComponent(now.dataset.lang)}`);
  if (response.ok) now.textContent = (await response.json()).label;
}
setInterval(showClock, 30000);  // the demo clock runs on between the presses
for (const button of document.querySelectorAll("button.forward")) {
  button.addEventListener("click", () => moveClock(Number(button.dataset.hours)));
}
