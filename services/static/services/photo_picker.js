/*
 * Photo picker of ticket forms (templates/services/includes/photo_input.html).
 *
 * Everywhere: previews of the files chosen in the file input, and a warning when they are
 * more than the form takes (the server checks again). Inside WeChat, once the JS-SDK is
 * ready (portalWechat.ready, portal/static/wechat/jssdk.js): a button that opens WeChat's
 * album and camera (wx.chooseImage), sends each photo to WeChat (wx.uploadImage) and keeps
 * its serverId in a ticked checkbox the form posts; the server fetches the photo from
 * WeChat. Without JavaScript, or outside WeChat, the plain file input does everything.
 *
 * Written for old in-app browsers: no modules, arrow functions or fetch.
 */
(function () {
  "use strict";

  function makeTile(picker, src) {
    var template = picker.querySelector("[data-tile-template]");
    var holder = document.createElement("ul");
    holder.innerHTML = template.innerHTML;
    var tile = holder.firstElementChild;
    var image = tile.querySelector("img");
    if (src) {
      image.src = src;
      // Some WebViews cannot show a WeChat localId: the tile then shows no picture.
      image.onerror = function () { image.parentNode.removeChild(image); };
    } else {
      image.parentNode.removeChild(image);
    }
    return tile;
  }

  function setup(picker) {
    var max = parseInt(picker.getAttribute("data-max-files"), 10) || 9;
    var wechatName = picker.getAttribute("data-wechat-name");
    var tiles = picker.querySelector("[data-photo-tiles]");
    var fileBox = picker.querySelector("[data-file-input]");
    var fileInput = fileBox.querySelector("input[type=file]");
    var chooseButton = picker.querySelector("[data-wechat-choose]");
    var status = picker.querySelector("[data-photo-count]");
    var filePreviews = [];

    function keptWechatPhotos() {
      return picker.querySelectorAll('input[name="' + wechatName + '"]:checked').length;
    }

    function chosenFiles() {
      return fileInput && fileInput.files ? fileInput.files.length : 0;
    }

    function showCount() {
      var tooMany = keptWechatPhotos() + chosenFiles() > max;
      status.textContent = tooMany ? picker.getAttribute("data-too-many") : "";
      status.className = "photo-picker__count" + (tooMany ? " photo-picker__count_error" : "");
      if (chooseButton) { chooseButton.disabled = keptWechatPhotos() >= max; }
    }

    function previewFiles() {
      var i;
      for (i = 0; i < filePreviews.length; i++) {
        if (filePreviews[i].url && window.URL) { window.URL.revokeObjectURL(filePreviews[i].url); }
        tiles.removeChild(filePreviews[i].tile);
      }
      filePreviews = [];
      for (i = 0; i < chosenFiles(); i++) {
        var url = window.URL && window.URL.createObjectURL ?
          window.URL.createObjectURL(fileInput.files[i]) : "";
        var tile = makeTile(picker, url);
        // Files cannot be taken out of a file input one by one: choosing again replaces them.
        var keep = tile.querySelector(".photo-picker__keep");
        keep.parentNode.removeChild(keep);
        tiles.appendChild(tile);
        filePreviews.push({ tile: tile, url: url });
      }
      showCount();
    }

    function addWechatPhoto(localId, serverId) {
      var tile = makeTile(picker, localId);
      var checkbox = tile.querySelector("input[type=checkbox]");
      checkbox.name = wechatName;
      checkbox.value = serverId;
      tiles.appendChild(tile);
    }

    // WeChat takes one uploadImage at a time: send the chosen photos one after another.
    function uploadAll(wx, localIds) {
      if (!localIds.length) { showCount(); return; }
      var localId = localIds.shift();
      wx.uploadImage({
        localId: localId,
        isShowProgressTips: 1,
        success: function (result) {
          addWechatPhoto(localId, result.serverId);
          uploadAll(wx, localIds);
        },
        fail: function () {
          status.textContent = picker.getAttribute("data-upload-failed");
          status.className = "photo-picker__count photo-picker__count_error";
        }
      });
    }

    function useWechat(wx) {
      if (!chooseButton) { return; }
      fileBox.hidden = true;
      chooseButton.hidden = false;
      chooseButton.addEventListener("click", function () {
        var room = max - keptWechatPhotos();
        if (room <= 0) { showCount(); return; }
        wx.chooseImage({
          count: room,
          sizeType: ["compressed"],
          sourceType: ["album", "camera"],
          success: function (result) { uploadAll(wx, result.localIds.slice(0, room)); }
        });
      });
      showCount();
    }

    if (fileInput) { fileInput.addEventListener("change", previewFiles); }
    tiles.addEventListener("change", showCount);
    showCount();
    // jssdk.js comes later in the page (deferred scripts run in order): it has run by
    // DOMContentLoaded, or by "load" when this script was added after that.
    var asked = false;
    function whenWechatReady() {
      if (asked) { return; }
      asked = true;
      if (window.portalWechat) { window.portalWechat.ready(useWechat); }
    }
    document.addEventListener("DOMContentLoaded", whenWechatReady);
    window.addEventListener("load", whenWechatReady);
    if (document.readyState === "complete") { whenWechatReady(); }
  }

  function setupAll() {
    var pickers = document.querySelectorAll("[data-photo-picker]");
    for (var i = 0; i < pickers.length; i++) {
      // The include may load this script once per picker: set each one up once.
      if (!pickers[i].hasAttribute("data-photo-picker-ready")) {
        pickers[i].setAttribute("data-photo-picker-ready", "");
        setup(pickers[i]);
      }
    }
  }

  setupAll();
})();
