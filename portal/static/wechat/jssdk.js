/*
 * WeChat JS-SDK on the portal's H5 pages (templates/wechat/jssdk.html includes it).
 *
 * Inside WeChat only: loads WeChat's jweixin script, asks the portal for wx.config of
 * this page, and sets what "send to friend" and "share to moments" show from the page's
 * <meta> tags (og:title, og:description or description, og:image). Pages work without
 * it; scripts that want more (chooseImage, uploadImage, scanQRCode) wait for it:
 *
 *   portalWechat.ready(function (wx) { wx.scanQRCode({...}); });
 *
 * Written for old in-app browsers: no modules, arrow functions or fetch.
 */
(function () {
  "use strict";

  var JS_API_LIST = ["chooseImage", "uploadImage", "scanQRCode",
                     "updateAppMessageShareData", "updateTimelineShareData"];
  var script = document.currentScript;
  var waiting = [];
  var state = "pending";

  function settle(newState, wx) {
    state = newState;
    var callbacks = waiting;
    waiting = [];
    if (newState === "ready") {
      for (var i = 0; i < callbacks.length; i++) { callbacks[i](wx); }
    }
  }

  window.portalWechat = {
    // fn(wx) runs once wx.config succeeded; never outside WeChat or when it failed.
    ready: function (fn) {
      if (state === "ready") { fn(window.wx); } else if (state === "pending") { waiting.push(fn); }
    },
    isReady: function () { return state === "ready"; }
  };

  if (!script || !/MicroMessenger/i.test(navigator.userAgent)) {
    settle("unavailable");
    return;
  }

  function meta(name) {
    var element = document.querySelector('meta[property="' + name + '"]') ||
                  document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") || "" : "";
  }

  function absolute(url) {
    if (!url) { return ""; }
    var link = document.createElement("a");
    link.href = url;
    return link.href;
  }

  function pageUrl() {
    return window.location.href.split("#")[0];
  }

  function share(wx) {
    var title = meta("og:title") || document.title;
    var image = absolute(meta("og:image"));
    wx.updateAppMessageShareData({
      title: title, desc: meta("og:description") || meta("description"),
      link: pageUrl(), imgUrl: image
    });
    wx.updateTimelineShareData({ title: title, link: pageUrl(), imgUrl: image });
  }

  function configure(config) {
    var wx = window.wx;
    if (!wx || !config || !config.signature) { settle("failed"); return; }
    wx.config({
      debug: false, appId: config.appId, timestamp: config.timestamp,
      nonceStr: config.nonceStr, signature: config.signature, jsApiList: JS_API_LIST
    });
    wx.ready(function () {
      share(wx);
      settle("ready", wx);
    });
    wx.error(function () { settle("failed"); });
  }

  function fetchConfig() {
    var request = new XMLHttpRequest();
    request.open("GET", script.getAttribute("data-config-url") + "?url=" +
                 encodeURIComponent(pageUrl()));
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.onload = function () {
      var config = null;
      if (request.status === 200) {
        try { config = JSON.parse(request.responseText); } catch (error) { config = null; }
      }
      configure(config);
    };
    request.onerror = function () { settle("failed"); };
    request.send();
  }

  var sdk = document.createElement("script");
  sdk.src = script.getAttribute("data-sdk");
  sdk.onload = fetchConfig;
  sdk.onerror = function () { settle("failed"); };
  document.head.appendChild(sdk);
})();
