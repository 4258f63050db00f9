// The WeChat Pay cashier: opens WeChat's payment sheet with the server's signed
// parameters, then asks the server until the order is paid (the notification may come
// a moment after WeChat says "ok"; the server looks it up at WeChat Pay if it is late).
(function () {
  "use strict";
  var cashier = document.getElementById("cashier");
  var button = document.getElementById("pay-button");
  var status = document.getElementById("pay-status");
  var paramsNode = document.getElementById("pay-params");
  if (!cashier || !button || !status || !paramsNode) return;
  var params = JSON.parse(paramsNode.textContent);
  var statusUrl = cashier.getAttribute("data-status-url");
  var POLL_MS = 2000;
  var POLL_TIMES = 15;

  function say(key) { status.textContent = status.getAttribute("data-" + key); }

  function poll(times) {
    var request = new XMLHttpRequest();
    request.open("GET", statusUrl + "?query=1");
    request.onload = function () {
      var answer = {};
      try { answer = JSON.parse(request.responseText); } catch (e) { /* retried below */ }
      if (answer.paid) {
        say("paid");
        window.location.reload();
      } else if (answer.state === "closed") {
        say("failed");
      } else if (times > 1) {
        window.setTimeout(function () { poll(times - 1); }, POLL_MS);
      } else {
        say("pending");
        button.disabled = false;
      }
    };
    request.onerror = function () {
      if (times > 1) window.setTimeout(function () { poll(times - 1); }, POLL_MS);
    };
    request.send();
  }

  function pay() {
    button.disabled = true;
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (result) {
      var message = (result && result.err_msg) || "";
      if (message === "get_brand_wcpay_request:ok") {
        say("checking");
        poll(POLL_TIMES);
      } else if (message === "get_brand_wcpay_request:cancel") {
        say("cancelled");
        button.disabled = false;
      } else {
        say("failed");
        button.disabled = false;
      }
    });
  }

  button.addEventListener("click", function () {
    if (window.WeixinJSBridge && window.WeixinJSBridge.invoke) {
      pay();
    } else if (/MicroMessenger/i.test(navigator.userAgent)) {
      document.addEventListener("WeixinJSBridgeReady", pay, { once: true });
    } else {
      say("no-wechat");
    }
  });
})();
