// placeholder until the portal lands
document.getElementById("app").textContent = "Licensor";
