// Quantity steppers: a − and a + beside each quantity box, large enough for a thumb, so
// an owner taps instead of typing. Without JavaScript the number box works on its own.
document.querySelectorAll(".shop-product__qty input[type=number]").forEach((input) => {
  const step = (delta) => {
    const min = Number(input.min || 0);
    const max = Number(input.max || 99);
    input.value = String(Math.min(max, Math.max(min, (Number(input.value) || 0) + delta)));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const button = (text, label, delta) => {
    const stepper = document.createElement("button");
    stepper.type = "button";
    stepper.className = "shop-step";
    stepper.textContent = text;
    stepper.setAttribute("aria-label", label);
    stepper.addEventListener("click", () => step(delta));
    return stepper;
  };
  const row = document.createElement("span");
  row.className = "shop-stepper";
  input.replaceWith(row);
  row.append(button("−", input.dataset.less, -1), input, button("+", input.dataset.more, 1));
});
