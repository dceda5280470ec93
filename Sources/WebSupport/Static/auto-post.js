// Posts the page's form at once: the answer a platform waits for (a Deep Linking response).
document.getElementById("autopost").submit();
