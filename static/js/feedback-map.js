/* Feedback maps: public markers, and the location picker of the report form.
   Works without a tile server: no base layer, a coordinate grid and a readout instead. */
(function () {
  "use strict";
  var el = document.getElementById("fb-map");
  if (!el || typeof L === "undefined") { return; }
  var DEFAULT_CENTER = [17.0, 106.9]; // Quảng Trị (Đồng Hới – Đông Hà)
  var map = L.map(el, { zoomControl: true, attributionControl: true }).setView(DEFAULT_CENTER, 9);
  var tileUrl = el.getAttribute("data-tile-url");
  var readout = document.getElementById("fb-readout");

  function fmt(n) { return (Math.round(n * 1e6) / 1e6).toFixed(6); }

  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("fb-map-blank");
    var grid = L.layerGroup().addTo(map);
    var niceStep = function (span) {
      var raw = span / 6, base = Math.pow(10, Math.floor(Math.log10(raw)));
      var m = raw / base;
      return base * (m < 2 ? 1 : (m < 5 ? 2 : 5));
    };
    var label = function (value, step) {
      var digits = Math.max(0, -Math.floor(Math.log10(step)));
      return value.toFixed(digits) + "°";
    };
    var drawGrid = function () {
      grid.clearLayers();
      var b = map.getBounds();
      var style = { color: "#9aa0a6", weight: 1, opacity: 0.6, interactive: false };
      var latStep = niceStep(b.getNorth() - b.getSouth());
      var lngStep = niceStep(b.getEast() - b.getWest());
      var lat, lng;
      for (lat = Math.ceil(b.getSouth() / latStep) * latStep; lat <= b.getNorth(); lat += latStep) {
        L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(grid);
        L.marker([lat, b.getWest()], { interactive: false, keyboard: false, icon: L.divIcon({
          className: "fb-grid-label", iconSize: null, iconAnchor: [-4, 14], html: label(lat, latStep) }) }).addTo(grid);
      }
      for (lng = Math.ceil(b.getWest() / lngStep) * lngStep; lng <= b.getEast(); lng += lngStep) {
        L.polyline([[b.getSouth(), lng], [b.getNorth(), lng]], style).addTo(grid);
        L.marker([b.getSouth(), lng], { interactive: false, keyboard: false, icon: L.divIcon({
          className: "fb-grid-label", iconSize: null, iconAnchor: [-4, 18], html: label(lng, lngStep) }) }).addTo(grid);
      }
    };
    map.on("moveend zoomend", drawGrid);
    drawGrid();
  }
  if (readout) {
    map.on("mousemove", function (e) { readout.textContent = fmt(e.latlng.lat) + ", " + fmt(e.latlng.lng); });
  }

  var pointsEl = document.getElementById("fb-points");
  var points = pointsEl ? JSON.parse(pointsEl.textContent) : [];
  var bounds = [];
  points.forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lng], { radius: 8, color: "#b3261e", fillColor: "#b3261e", fillOpacity: 0.7 }).addTo(map);
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.id + " – " + p.title;
    var box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.status));
    m.bindPopup(box);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 15); }
  else if (bounds.length > 1) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }

  if (el.getAttribute("data-pick")) {
    var latInput = document.getElementById("id_lat");
    var lngInput = document.getElementById("id_long");
    var marker = null;
    var place = function (lat, lng, pan) {
      if (marker) { marker.setLatLng([lat, lng]); }
      else { marker = L.circleMarker([lat, lng], { radius: 9, color: "#0b57d0", fillColor: "#0b57d0", fillOpacity: 0.8 }).addTo(map); }
      if (pan) { map.setView([lat, lng], Math.max(map.getZoom(), 14)); }
    };
    map.on("click", function (e) {
      latInput.value = fmt(e.latlng.lat);
      lngInput.value = fmt(e.latlng.lng);
      place(e.latlng.lat, e.latlng.lng, false);
    });
    var fromInputs = function () {
      var lat = parseFloat(latInput.value), lng = parseFloat(lngInput.value);
      if (!isNaN(lat) && !isNaN(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) { place(lat, lng, true); }
    };
    latInput.addEventListener("change", fromInputs);
    lngInput.addEventListener("change", fromInputs);
    fromInputs();

    // Show only the extra questions of the chosen category.
    var category = document.getElementById("id_category");
    var sets = document.querySelectorAll(".fb-attrs");
    var showAttrs = function () {
      sets.forEach(function (fs) {
        var on = fs.getAttribute("data-category") === category.value;
        fs.hidden = !on;
        fs.disabled = !on;
      });
    };
    if (category) { category.addEventListener("change", showAttrs); showAttrs(); }
  }
})();
