/*
 * The gate workbench's scanner and small conveniences (templates/visitors/gate/).
 *
 * The big scan button: inside WeChat it calls the JS-SDK's scanQRCode (needResult: 1);
 * elsewhere it opens the camera and reads QR codes with BarcodeDetector where the
 * browser has it. Either way the code read goes to the check page, as a typed code
 * does; the typed-code form works without any of this. Written for old in-app
 * browsers: no modules, arrow functions or fetch.
 */
(function () {
  "use strict";

  document.documentElement.className += " js";

  // Choosing a building or unit of the walk-in form (or the expected list's building)
  // refreshes the page with the next list filled in.
  var refreshing = document.querySelectorAll("[data-refresh], [data-autosubmit]");
  for (var r = 0; r < refreshing.length; r++) {
    refreshing[r].addEventListener("change", function (event) {
      var form = event.target.form;
      var refresh = form.querySelector("button[name=refresh]");
      if (refresh) { refresh.click(); } else { form.submit(); }
    });
  }

  var scan = document.getElementById("scan");
  if (!scan) { return; }
  var button = document.getElementById("scan-button");
  var error = document.getElementById("scan-error");
  var inWechat = /MicroMessenger/i.test(navigator.userAgent);
  var canDetect = "BarcodeDetector" in window && navigator.mediaDevices &&
                  navigator.mediaDevices.getUserMedia;

  function check(text) {
    window.location.href = scan.getAttribute("data-check-url") + "?code=" +
                           encodeURIComponent(text);
  }

  function showError() { error.hidden = false; }

  function wechatScan() {
    var started = false;
    if (window.portalWechat) {
      window.portalWechat.ready(function (wx) {
        started = true;
        wx.scanQRCode({
          needResult: 1, scanType: ["qrCode"],
          success: function (result) { check(result.resultStr || ""); },
          fail: showError
        });
      });
    }
    // The JS-SDK never became ready (no account, no signature): say so.
    window.setTimeout(function () { if (!started) { showError(); } }, 3000);
  }

  var stream = null;
  var video = document.getElementById("camera-video");
  var camera = document.getElementById("camera");

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    camera.hidden = true;
  }

  function cameraScan() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        camera.hidden = false;
        return video.play();
      })
      .then(function look() {
        if (!stream) { return; }
        detector.detect(video).then(function (codes) {
          if (codes.length) { stopCamera(); check(codes[0].rawValue); } else {
            window.setTimeout(look, 200);
          }
        }, function () { window.setTimeout(look, 400); });
      })
      .catch(function () { stopCamera(); showError(); });
  }

  if (!inWechat && !canDetect) { return; }  // the typed code is all this phone can do
  scan.hidden = false;
  button.addEventListener("click", function () {
    error.hidden = true;
    if (inWechat) { wechatScan(); } else { cameraScan(); }
  });
  document.getElementById("camera-stop").addEventListener("click", stopCamera);
})();
