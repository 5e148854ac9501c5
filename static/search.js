// search.js — placeholder until the combobox lands
