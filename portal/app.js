// Says whether this server answers its health check (GET /v1/health), and since when its clock
// reads, so a person who opens the portal sees at once that the server behind it is up.
const status = document.getElementById("health");

async function healthShow() {
  try {
    const answer = await fetch("/v1/health", { headers: { Accept: "application/json" } });
    const health = await answer.json();
    status.textContent = answer.ok ? `The server is up (${health.status}, its clock reads ${health.time}).`
                                   : `The server answered ${answer.status}.`;
  } catch (error) {
    status.textContent = `The server could not be reached: ${error.message}`;
  }
}

healthShow();
