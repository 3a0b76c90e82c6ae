// "Cetak bukti laporan": the button appears only where JavaScript runs; without it the
// browser's own print command gives the same page (the print stylesheet hides the rest).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
