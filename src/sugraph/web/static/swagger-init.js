// Starts Swagger UI on /docs (kept out of the page so the Content-Security-Policy needs no inline script).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
