// The OpenAPI docs page: Swagger UI from the installed swagger-ui-bundle, no CDN and no inline script.
window.addEventListener("load", () => {
  window.SwaggerUIBundle({ url: new URL("openapi.json", document.baseURI).href, dom_id: "#swagger-ui" });
});
