// Spanish: each English text of the portal (t("…") in its modules) and its translation.
export default {
};
